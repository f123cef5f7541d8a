import { deliverMail } from "../shared/composition/mail";
import { queuedMailSchema } from "../shared/domain/mail/queued-mail";
import { serviceBusFunction, type ServiceBusFunctionDefinition } from "./lib/definition";
import { handleQueue, type RetryPolicy } from "./lib/queue";

/**
 * Mail waits out longer outages than other work: 12 attempts, 10 s doubling to at most 30 min, about
 * one to two hours in all (SMTP servers themselves retry for days). Then it is dead-lettered, replayable.
 */
export const mailRetryPolicy: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10_000, maxDelayMs: 30 * 60_000 };

/** Tests shorten the retry policy and fix the jitter; the ports come from composition (`overrideServices`). */
export interface MailSendOptions {
  readonly policy?: RetryPolicy;
  readonly random?: () => number;
}

/**
 * The consumer of the `mail` queue: parses the message, sends it once per message id. Transient failures
 * are retried with backoff and permanent ones dead-lettered with their reason, by `handleQueue`.
 */
export function mailSendHandler(options: MailSendOptions = {}): ServiceBusFunctionDefinition["handler"] {
  return handleQueue(
    "mail",
    queuedMailSchema,
    async (mail, work, context) => {
      await deliverMail(work.messageId, mail, { replay: work.replayed, log: (m) => context.log(m) });
    },
    {
      policy: options.policy ?? mailRetryPolicy,
      ...(options.random === undefined ? {} : { random: options.random }),
    },
  );
}

export const mailSend = serviceBusFunction({
  name: "mail-send",
  queueName: "mail",
  handler: mailSendHandler(),
});

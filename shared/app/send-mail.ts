import { createHash } from "node:crypto";
import { AppError, isAppError } from "../domain/errors";
import { queuedMailSchema, type MailRecipient, type QueuedMail } from "../domain/mail/queued-mail";
import { renderMail, type MailTemplate } from "../domain/mail/templates";
import { isHandOverUnanswered, type MailSender } from "./ports/mail-sender";
import type { MailSentLog } from "./ports/mail-sent-log";
import type { MailSettingsStore } from "./ports/mail-settings-store";
import type { WorkQueue } from "./ports/work-queue";

/**
 * System mail, never lost: use cases call `sendMail`, which puts one message per recipient on the `mail`
 * queue under a stable id; the `mail-send` consumer calls `deliverMail` for each.
 */

export interface MailRequest {
  /**
   * What this mail is about, stable across retries of the calling use case, e.g.
   * `booking-confirmed:{bookingId}:{version}`. With the recipient it makes the message id, so asking
   * twice for the same mail enqueues the same message and the consumer sends it once.
   */
  readonly key: string;
  readonly to: readonly MailRecipient[];
  readonly template: MailTemplate;
}

const keyPattern = /^[A-Za-z0-9._:@-]{1,96}$/;

/** The queue message id of one recipient's copy of a mail: `{key}~{hash of the address}`. */
export function mailMessageId(key: string, email: string): string {
  const hash = createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 24);
  return `${key}~${hash}`;
}

/** Enqueues the mail on the `mail` queue, one message per distinct recipient. Returns the message ids. */
export async function sendMail(
  deps: { readonly workQueue: WorkQueue },
  request: MailRequest,
): Promise<string[]> {
  if (!keyPattern.test(request.key)) {
    throw new AppError("validation-failed", "The mail key must be 1-96 letters, digits or . _ : @ -.");
  }
  const seen = new Set<string>();
  const items: { id: string; body: QueuedMail }[] = [];
  for (const to of request.to) {
    const parsed = queuedMailSchema.safeParse({ to, template: request.template });
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join(".")))];
      throw new AppError("validation-failed", `The mail is not valid: ${fields.join(", ")}.`);
    }
    const id = mailMessageId(request.key, to.email);
    if (seen.has(id)) continue;
    seen.add(id);
    items.push({ id, body: parsed.data });
  }
  if (items.length > 0) await deps.workQueue.enqueue("mail", items);
  return items.map((i) => i.id);
}

export interface DeliverMailDependencies {
  readonly sender: MailSender;
  readonly mailSettings: MailSettingsStore;
  readonly sentLog: MailSentLog;
  readonly now: () => Date;
  /** APP_BASE_URL, for links back to ONES. */
  readonly appBaseUrl: string;
  /** MAIL_FROM_NAME: the display name beside the sender address. */
  readonly fromName: string;
  /** How long a claim holds before another delivery may take over; longer than the slowest send. */
  readonly claimLeaseMs?: number;
  /** Logs ids only. */
  readonly log?: (message: string) => void;
}

export type DeliveryOutcome = "sent" | "already-sent";

export const defaultClaimLeaseMs = 5 * 60_000;

/** Dead-letter detail of a mail whose hand-over never came back. */
export const inDoubtDetail =
  "The mail was handed to the mail service, but the worker stopped (or the service never answered) before " +
  "it was confirmed: it may have been delivered. ONES does not send it again by itself; replay it to send it again.";

/**
 * Sends one queued mail at most once per message id. The send cannot be atomic with a table write, so
 * the sent log records each step just before and just after the only step that can deliver:
 * 1. claim the id (a lease with a fresh attempt id): `sent` → skip; `busy` → a parallel delivery holds
 *    a fresh claim (retry later, transiently); `in-doubt` → see below;
 * 2. send; just before the channel's point of no return (SMTP: before the terminating "."; SendGrid:
 *    before the request) mark the claim `handing-over`, conditional on still holding it, so a delivery
 *    whose lease lapsed during a slow send stops short of delivering;
 * 3. mark the id sent. Once the service has accepted the mail this never throws: a failure to mark is
 *    logged and swallowed, because a throw would make the queue redeliver a mail that is already out.
 * A send that fails for certain gives the claim back and rethrows (transient: retried; permanent:
 * dead-lettered). A worker that dies before step 2 leaves a `sending` claim: after the lease another
 * delivery takes it over and sends (nothing can have gone out). A worker that dies between 2 and 3, or a
 * service that never answers the hand-over, leaves the mail in doubt: it is not sent again by itself
 * (a duplicate cannot be recalled) but dead-lettered with `inDoubtDetail`, where an admin sees it and can
 * replay it (`resendInDoubt`).
 */
export async function deliverMail(
  deps: DeliverMailDependencies,
  messageId: string,
  mail: QueuedMail,
  options: { readonly replay?: boolean } = {},
): Promise<DeliveryOutcome> {
  const log = deps.log ?? (() => undefined);
  const { senderAddress } = await deps.mailSettings.get();
  if (senderAddress === undefined) {
    throw new AppError(
      "precondition-failed",
      "No sender address is set in the mail settings; set it and replay this mail.",
    );
  }
  const rendered = renderMail(mail.template, {
    appBaseUrl: deps.appBaseUrl,
    productName: "ONES",
    ...(mail.to.name === undefined ? {} : { recipientName: mail.to.name }),
    now: deps.now(),
  });

  const claim = await deps.sentLog.claim(
    messageId,
    deps.now(),
    deps.claimLeaseMs ?? defaultClaimLeaseMs,
    options.replay === true ? { resendInDoubt: true } : {},
  );
  if (claim.state === "sent") {
    log(`mail ${messageId} was sent before; not sending it again`);
    return "already-sent";
  }
  if (claim.state === "busy") {
    throw new AppError("dependency-unavailable", "Another delivery of this mail is in progress.");
  }
  if (claim.state === "in-doubt") {
    log(`mail ${messageId}: attempt ${claim.attemptId} may have delivered it; not sending it again`);
    throw new AppError("conflict", inDoubtDetail, { retryable: false });
  }

  let token = claim.token;
  let providerMessageId: string | undefined;
  try {
    const sent = await deps.sender.send(
      {
        id: messageId,
        attemptId: claim.attemptId,
        from: { email: senderAddress, name: deps.fromName },
        to: mail.to,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
      },
      {
        beforeHandOver: async () => {
          token = await deps.sentLog.markHandingOver(messageId, token, deps.now());
        },
      },
    );
    providerMessageId = sent.providerMessageId;
  } catch (error) {
    if (isHandOverUnanswered(error)) {
      log(`mail ${messageId}: attempt ${claim.attemptId} got no answer to the hand-over; in doubt`);
      await deps.sentLog
        .markInDoubt(messageId, token, deps.now())
        .catch(() => log(`mail ${messageId}: could not mark it in doubt (the lease will)`));
      throw new AppError("conflict", inDoubtDetail, { retryable: false, cause: error });
    }
    await deps.sentLog
      .release(messageId, token)
      .catch(() => log(`mail ${messageId}: could not release the claim`));
    if (isAppError(error)) throw error;
    throw new AppError("dependency-unavailable", "The mail service failed unexpectedly.", { cause: error });
  }

  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await deps.sentLog.markSent(messageId, deps.now(), providerMessageId);
      break;
    } catch {
      if (attempt === 3) log(`mail ${messageId} was sent but could not be marked sent`);
    }
  }
  log(
    `mail ${messageId} sent by attempt ${claim.attemptId}${providerMessageId === undefined ? "" : ` as ${providerMessageId}`}`,
  );
  return "sent";
}

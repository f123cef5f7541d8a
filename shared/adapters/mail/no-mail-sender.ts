import type { MailSender, OutgoingMail, SentMail } from "../../app/ports/mail-sender";
import { AppError } from "../../domain/errors";

/**
 * MAIL_CHANNEL=none: nothing is sent. Each attempt fails transiently, so mail waits on the queue with
 * backoff and ends as `retries-exhausted` in the dead letters, from where it can be replayed once a
 * channel is configured. Health reports the channel as not configured.
 */
export class NoMailSender implements MailSender {
  readonly channel = "none" as const;

  send(_mail: OutgoingMail): Promise<SentMail> {
    return Promise.reject(
      new AppError("dependency-unavailable", "No mail channel is configured (MAIL_CHANNEL is none)."),
    );
  }
}

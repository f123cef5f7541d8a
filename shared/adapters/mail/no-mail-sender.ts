import type { MailSender, OutgoingMail, SentMail } from "../../app/ports/mail-sender";
import { AppError } from "../../domain/errors";

/**
 * MAIL_CHANNEL=none, or a channel whose secret is unreadable (an unresolved Key Vault reference): nothing
 * is sent. Each attempt fails transiently, so mail waits on the queue with backoff and ends as
 * `retries-exhausted` in the dead letters, from where it can be replayed once a channel is configured.
 * Health reports the channel as not configured, or as down with the reason.
 */
export class NoMailSender implements MailSender {
  readonly channel = "none" as const;

  constructor(private readonly reason = "No mail channel is configured (MAIL_CHANNEL is none).") {}

  send(_mail: OutgoingMail): Promise<SentMail> {
    return Promise.reject(new AppError("dependency-unavailable", this.reason));
  }
}

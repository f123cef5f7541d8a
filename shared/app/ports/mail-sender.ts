/** An address with an optional display name. */
export interface MailAddress {
  readonly email: string;
  readonly name?: string;
}

export interface OutgoingMail {
  /** Our stable message id: sent as a header (and Message-ID over SMTP) so a duplicate can be spotted. */
  readonly id: string;
  readonly from: MailAddress;
  readonly to: MailAddress;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface SentMail {
  /** The provider's id for the accepted message (SendGrid's x-message-id, the SMTP queue id), if any. */
  readonly providerMessageId?: string;
}

/**
 * Sends one system mail through SendGrid or an SMTP server. Failures are `AppError`s: transient ones
 * (network, 5xx, 429, SMTP 4xx) are `dependency-unavailable` and retryable; permanent ones (a rejected
 * address, a message the service refuses, bad credentials) are not, and carry a safe reason.
 */
export interface MailSender {
  readonly channel: "sendgrid" | "smtp" | "none";
  send(mail: OutgoingMail): Promise<SentMail>;
}

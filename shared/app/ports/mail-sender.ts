import { AppError, isAppError } from "../../domain/errors";

/** An address with an optional display name. */
export interface MailAddress {
  readonly email: string;
  readonly name?: string;
}

export interface OutgoingMail {
  /** Our stable message id: sent as a header (and Message-ID over SMTP) so a duplicate can be spotted. */
  readonly id: string;
  /** This attempt's id (unique per send claim), sent as a header: tells two copies of one mail apart. */
  readonly attemptId?: string;
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

export interface SendOptions {
  /**
   * Awaited once, at the channel's point of no return: everything before it cannot make the service
   * accept the mail; everything after it may (SMTP: the message has been transmitted but not the
   * terminating "."; SendGrid: just before the request). When it rejects, the send stops short of the
   * hand-over and rejects with that error.
   */
  readonly beforeHandOver?: () => Promise<void>;
}

/**
 * Sends one system mail through SendGrid or an SMTP server. Failures are `AppError`s: transient ones
 * (network, 5xx, 429, SMTP 4xx) are `dependency-unavailable` and retryable; permanent ones (a rejected
 * address, a message the service refuses, bad credentials) are not, and carry a safe reason. A failure
 * after the hand-over with no answer from the service (a reset connection, a timeout) is made with
 * `handOverUnanswered`: the service may have accepted the mail.
 */
export interface MailSender {
  readonly channel: "sendgrid" | "smtp" | "none";
  send(mail: OutgoingMail, options?: SendOptions): Promise<SentMail>;
}

const unanswered = "handOverUnanswered";

/** The failure of a send whose hand-over got no answer: the mail may or may not have been accepted. */
export function handOverUnanswered(detail: string, cause: unknown): AppError {
  return new AppError("dependency-unavailable", detail, { cause, extensions: { [unanswered]: true } });
}

export function isHandOverUnanswered(error: unknown): boolean {
  return isAppError(error) && error.extra.extensions?.[unanswered] === true;
}

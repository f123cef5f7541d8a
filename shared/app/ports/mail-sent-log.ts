/** The outcome of claiming a mail for sending. */
export type MailClaim =
  /** This delivery may send; `token` proves the claim when it is released. */
  | { readonly state: "claimed"; readonly token: string }
  /** The mail was sent before: do not send it again. */
  | { readonly state: "sent" }
  /** Another delivery claimed it moments ago and may be sending it right now. */
  | { readonly state: "busy" };

/**
 * Remembers which mail message ids were sent, so a redelivered message is not sent twice. A claim is a
 * lease: one that was never marked sent nor released (the worker died mid-send) lapses after `leaseMs`.
 */
export interface MailSentLog {
  claim(messageId: string, at: Date, leaseMs: number): Promise<MailClaim>;
  markSent(messageId: string, at: Date, providerMessageId?: string): Promise<void>;
  /** Gives a claim back after a failed send, so the retry need not wait for the lease. */
  release(messageId: string, token: string): Promise<void>;
}

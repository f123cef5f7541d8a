/** The outcome of claiming a mail for sending. */
export type MailClaim =
  /**
   * This delivery may send. `token` proves the claim (it changes with every write of the claim);
   * `attemptId` names this attempt, unique per claim, and travels in the mail's headers.
   */
  | { readonly state: "claimed"; readonly token: string; readonly attemptId: string }
  /** The mail was sent before: do not send it again. */
  | { readonly state: "sent" }
  /** Another delivery claimed it moments ago and may be sending it right now. */
  | { readonly state: "busy" }
  /**
   * An earlier attempt handed the mail over and then stopped (its worker died, or the service never
   * answered): it may have been delivered. Not sent again unless a replay asks for it.
   */
  | { readonly state: "in-doubt"; readonly attemptId: string };

export interface ClaimOptions {
  /** An admin's replay: an `in-doubt` mail is claimed (and so sent again) instead of reported. */
  readonly resendInDoubt?: boolean;
}

/**
 * Remembers which mail message ids were sent, so a redelivered message is not sent twice. A row goes
 * `sending` (claimed: nothing handed over yet) → `handing-over` (written just before the channel's point
 * of no return) → `sent`; or back to nothing (`release`, after a send that failed for certain). A claim
 * is a lease: one neither marked sent nor released (the worker died) lapses after `leaseMs`. A lapsed
 * `sending` claim is taken over and the mail sent (it cannot have gone out); a lapsed `handing-over`
 * claim becomes `in-doubt` and the mail is not sent again by itself.
 */
export interface MailSentLog {
  claim(messageId: string, at: Date, leaseMs: number, options?: ClaimOptions): Promise<MailClaim>;
  /**
   * Records that this claim is about to hand the mail over; returns the claim's new token. Throws (and
   * the send must then stop short of the hand-over) when the claim is no longer this delivery's: its
   * lease lapsed during a slow send and another delivery took it over.
   */
  markHandingOver(messageId: string, token: string, at: Date): Promise<string>;
  markSent(messageId: string, at: Date, providerMessageId?: string): Promise<void>;
  /** The service took the mail up to its point of no return and never answered: `in-doubt` now. */
  markInDoubt(messageId: string, token: string, at: Date): Promise<void>;
  /** Gives a claim back after a send that failed for certain, so the retry need not wait for the lease. */
  release(messageId: string, token: string): Promise<void>;
}

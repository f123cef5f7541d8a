/** Outage switches of the mail sink, for tests of retries and dead letters. */
export interface FaultState {
  /** Channels whose listeners are closed: clients get ECONNREFUSED. */
  readonly refused: Set<"smtp" | "sendgrid">;
  /** Temporary failures still to serve per channel (Infinity until cleared), with the status/reply to use. */
  readonly temporary: Map<"smtp" | "sendgrid", { remaining: number; status: number }>;
  /** Addresses (lower case) rejected for good: SMTP 550 5.1.1 at RCPT TO, SendGrid 400. */
  readonly rejected: Set<string>;
}

export function emptyFaults(): FaultState {
  return { refused: new Set(), temporary: new Map(), rejected: new Set() };
}

/** Takes one temporary failure of a channel, if any is armed; returns the status/reply code to answer. */
export function takeTemporary(state: FaultState, channel: "smtp" | "sendgrid"): number | undefined {
  const fault = state.temporary.get(channel);
  if (fault === undefined || fault.remaining <= 0) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) state.temporary.delete(channel);
  return fault.status;
}

/** Outage switches of the mail sink, for tests of retries and dead letters. */
export interface FaultState {
  /** Channels whose listeners are closed: clients get ECONNREFUSED. */
  readonly refused: Set<"smtp" | "sendgrid">;
  /** Temporary failures still to serve per channel (Infinity until cleared), with the status/reply to use. */
  readonly temporary: Map<"smtp" | "sendgrid", { remaining: number; status: number }>;
  /** Addresses (lower case) rejected for good: SMTP 550 5.1.1 at RCPT TO, SendGrid 400. */
  readonly rejected: Set<string>;
  /** Held stages: a session reaching one waits (without an answer) until its release is called. */
  readonly holds: Map<HoldStage, Hold>;
}

/**
 * Where the sink can hold a client: `recipient` before answering RCPT TO (the mail not yet handed
 * over); `answer` after the mail has been accepted and stored, before the SMTP 250 / SendGrid 202.
 */
export type HoldStage = "recipient" | "answer";

export interface Hold {
  /** Sessions waiting at this stage. */
  waiting: number;
  readonly released: Promise<void>;
  readonly release: () => void;
}

export function emptyFaults(): FaultState {
  return { refused: new Set(), temporary: new Map(), rejected: new Set(), holds: new Map() };
}

/** Waits while `stage` is held (counting the waiting session); resolves at once when it is not. */
export async function passHold(state: FaultState, stage: HoldStage): Promise<void> {
  const hold = state.holds.get(stage);
  if (hold === undefined) return;
  hold.waiting++;
  await hold.released;
}

/** Takes one temporary failure of a channel, if any is armed; returns the status/reply code to answer. */
export function takeTemporary(state: FaultState, channel: "smtp" | "sendgrid"): number | undefined {
  const fault = state.temporary.get(channel);
  if (fault === undefined || fault.remaining <= 0) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) state.temporary.delete(channel);
  return fault.status;
}

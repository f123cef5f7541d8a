import type { QueueName } from "./work-queue";

/** A piece of work that failed for good, kept with its reason for admins to see and replay. */
export interface DeadLetter {
  readonly queue: QueueName;
  readonly messageId: string;
  /** Short machine-readable reason, e.g. `invalid-message`, `bad-recipient`, `retries-exhausted`. */
  readonly reason: string;
  /** Human-readable description; safe to show (no secrets, tokens or mail bodies). */
  readonly description: string;
  readonly attempts: number;
  readonly failedAt: Date;
  /** The message body, kept so it can be replayed. */
  readonly body: unknown;
}

export interface DeadLetterStore {
  record(letter: DeadLetter): Promise<void>;
  list(options?: { queue?: QueueName; limit?: number }): Promise<DeadLetter[]>;
  get(queue: QueueName, messageId: string): Promise<DeadLetter | undefined>;
  remove(queue: QueueName, messageId: string): Promise<void>;
}

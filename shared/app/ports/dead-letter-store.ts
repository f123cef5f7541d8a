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
  /** Which write of the letter this is (set when read): a removal names it, so a newer failure stays. */
  readonly version?: string;
}

/** One page of dead letters; `continuation` is set while more may follow. */
export interface DeadLetterPage {
  readonly letters: DeadLetter[];
  readonly continuation?: string;
}

export interface DeadLetterStore {
  record(letter: DeadLetter): Promise<void>;
  list(options?: { queue?: QueueName; limit?: number }): Promise<DeadLetter[]>;
  get(queue: QueueName, messageId: string): Promise<DeadLetter | undefined>;
  remove(queue: QueueName, messageId: string): Promise<void>;
  /** Up to `limit` letters (oldest partition first), from where `continuation` left off. */
  page(options: { queue?: QueueName; limit: number; continuation?: string }): Promise<DeadLetterPage>;
  /**
   * Deletes the letter if it is still the write that was read (`letter.version`). `removed` when it
   * did, `gone` when the row is no longer there, `changed` when the work failed again since.
   */
  removeIfUnchanged(letter: DeadLetter): Promise<"removed" | "gone" | "changed">;
}

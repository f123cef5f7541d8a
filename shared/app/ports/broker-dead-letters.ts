import type { QueueName } from "./work-queue";

/** A message the broker moved to a queue's dead-letter sub-queue (after its max delivery count). */
export interface BrokerDeadLetter {
  readonly queue: QueueName;
  /** The broker's sequence number: unique in the queue, never reused. */
  readonly sequenceNumber: bigint;
  readonly messageId: string;
  /** Why the broker (or a receiver) dead-lettered it, e.g. `MaxDeliveryCountExceeded`. */
  readonly reason: string;
  readonly description: string;
  /** Deliveries the broker counted as failed. */
  readonly deliveryCount: number;
  /** When the message was enqueued (Service Bus does not stamp when it was dead-lettered). */
  readonly enqueuedAt: Date;
  /** The message body, for replay only: never shown as is. */
  readonly body: unknown;
}

/** The dead-letter sub-queues of the work queues: read and take messages back out of them. */
export interface BrokerDeadLetterQueue {
  /** Up to `max` letters of `queue` with a sequence number from `fromSequenceNumber` on, ascending. */
  peek(queue: QueueName, fromSequenceNumber: bigint, max: number): Promise<BrokerDeadLetter[]>;
  /**
   * Locks the letter, hands it to `handle` and removes it once `handle` resolved; if `handle` throws,
   * the letter is released unchanged and the error rethrown. `not-found` when the sub-queue does not
   * hold it; `busy` when it holds it but another receiver has it locked (or it lies beyond a bounded
   * scan), so try again later.
   */
  take(
    queue: QueueName,
    sequenceNumber: bigint,
    handle: (letter: BrokerDeadLetter) => Promise<void>,
  ): Promise<"taken" | "not-found" | "busy">;
}

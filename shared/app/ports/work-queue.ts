/** The queues ONES uses for reliable work (see API.md). */
export const queueNames = ["booking-commands", "calendar-changes", "mail", "sync-run"] as const;
export type QueueName = (typeof queueNames)[number];

/**
 * Broker-side settings of each queue, the same locally and in Bicep: how often Service Bus delivers a
 * message before it dead-letters it, and how long a receiver holds its lock.
 */
export const queueSettings: Record<
  QueueName,
  { readonly maxDeliveryCount: number; readonly lockDurationSeconds: number }
> = {
  "booking-commands": { maxDeliveryCount: 10, lockDurationSeconds: 60 },
  "calendar-changes": { maxDeliveryCount: 10, lockDurationSeconds: 60 },
  mail: { maxDeliveryCount: 10, lockDurationSeconds: 60 },
  // One message per admin "run now"; a run lasts minutes (the host renews the lock meanwhile).
  "sync-run": { maxDeliveryCount: 10, lockDurationSeconds: 300 },
};

export interface QueuedWork {
  /** Stable id: a redelivered or re-sent message with the same id is the same piece of work. */
  readonly id: string;
  readonly body: unknown;
  /** Deliver no earlier than this. */
  readonly notBefore?: Date;
  /** Which attempt this is (1 for new work); a retry re-enqueues the work with the next number. */
  readonly attempt?: number;
  /** Put back by an admin's replay of its dead letter: the consumer may redo work it would not redo by itself. */
  readonly replayed?: boolean;
}

/** Hands work to a queue; resolves once the queue has accepted it. */
export interface WorkQueue {
  enqueue(queue: QueueName, work: QueuedWork | readonly QueuedWork[]): Promise<void>;
}

/** The queues ONES uses for reliable work (see API.md). */
export const queueNames = ["booking-commands", "calendar-changes", "mail"] as const;
export type QueueName = (typeof queueNames)[number];

export interface QueuedWork {
  /** Stable id: a redelivered or re-sent message with the same id is the same piece of work. */
  readonly id: string;
  readonly body: unknown;
  /** Deliver no earlier than this. */
  readonly notBefore?: Date;
  /** Which attempt this is (1 for new work); a retry re-enqueues the work with the next number. */
  readonly attempt?: number;
}

/** Hands work to a queue; resolves once the queue has accepted it. */
export interface WorkQueue {
  enqueue(queue: QueueName, work: QueuedWork | readonly QueuedWork[]): Promise<void>;
}

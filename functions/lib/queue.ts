import type { InvocationContext } from "@azure/functions";
import type { z } from "zod";
import type { DeadLetterStore } from "../../shared/app/ports/dead-letter-store";
import type { QueueName, WorkQueue } from "../../shared/app/ports/work-queue";
import { queueWork } from "../../shared/composition/dead-letters";
import { backoffDelay, type Backoff } from "../../shared/domain/backoff";
import { isAppError } from "../../shared/domain/errors";
import type { ServiceBusFunctionDefinition } from "./definition";

export interface RetryPolicy extends Backoff {
  /** Attempts in all, the first included, before the work is dead-lettered. */
  readonly maxAttempts: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60_000,
};

export interface WorkItem {
  readonly messageId: string;
  readonly attempt: number;
  /** Put back by an admin's replay of its dead letter (kept across retries). */
  readonly replayed: boolean;
}

export interface QueueDependencies {
  readonly workQueue: WorkQueue;
  readonly deadLetters: DeadLetterStore;
  readonly now: () => Date;
}

/**
 * Wraps a queue consumer so that no accepted work is silently lost:
 * - a message that does not parse is dead-lettered as `invalid-message`;
 * - a permanent failure (an `AppError` that is not retryable) is dead-lettered with its code and detail;
 * - a transient failure is re-enqueued with exponential backoff and jitter, and dead-lettered as
 *   `retries-exhausted` after the last attempt;
 * - when the dead letter cannot be recorded because storage is unavailable (an outage takes the
 *   dead-letter store with it), the work is rescheduled instead, so an outage is waited out on the
 *   queue and never ends in Service Bus's own dead-letter queue;
 * - if re-enqueueing itself fails, the handler throws, the host abandons the message and Service Bus
 *   redelivers it (and dead-letters it after the queue's max delivery count).
 * Handlers must be idempotent per message id: a message can arrive more than once.
 */
export function handleQueue<S extends z.ZodType>(
  queue: QueueName,
  schema: S,
  consume: (body: z.output<S>, work: WorkItem, context: InvocationContext) => Promise<void>,
  options: { policy?: RetryPolicy; dependencies?: () => QueueDependencies; random?: () => number } = {},
): ServiceBusFunctionDefinition["handler"] {
  const policy = options.policy ?? defaultRetryPolicy;
  const dependencies = options.dependencies ?? queueWork;
  const random = options.random ?? Math.random;

  return async (raw, context) => {
    const { workQueue, deadLetters, now } = dependencies();
    const work = workItemOf(context);
    const retryLater = (why: string): Promise<void> => {
      const delay = backoffDelay(policy, work.attempt, random);
      context.warn(`${why}; retrying message ${work.messageId} in ${Math.round(delay / 1000)} s`);
      return workQueue.enqueue(queue, {
        id: work.messageId,
        body: raw,
        attempt: work.attempt + 1,
        ...(work.replayed ? { replayed: true } : {}),
        notBefore: new Date(now().getTime() + delay),
      });
    };
    const deadLetter = async (reason: string, description: string): Promise<void> => {
      context.warn(`dead-lettering message ${work.messageId}: ${reason}`);
      try {
        await deadLetters.record({
          queue,
          messageId: work.messageId,
          reason,
          description,
          attempts: work.attempt,
          failedAt: now(),
          body: raw,
        });
      } catch (error) {
        if (!(isAppError(error) && error.code === "dependency-unavailable")) throw error;
        await retryLater(`dead letter of attempt ${work.attempt} not recorded (storage unavailable)`);
      }
    };

    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.map(String).join(".") || "(body)");
      await deadLetter("invalid-message", `The message is not valid: ${[...new Set(fields)].join(", ")}.`);
      return;
    }

    try {
      await consume(parsed.data, work, context);
    } catch (error) {
      if (isAppError(error) && !error.retryable) {
        await deadLetter(error.code, error.detail);
        return;
      }
      if (work.attempt >= policy.maxAttempts) {
        await deadLetter("retries-exhausted", `Gave up after ${work.attempt} attempts.`);
        return;
      }
      await retryLater(`attempt ${work.attempt} failed`);
    }
  };
}

/** The message id and attempt number from the Service Bus trigger metadata. */
export function workItemOf(context: InvocationContext): WorkItem {
  const meta = context.triggerMetadata ?? {};
  const props = (meta.applicationProperties ?? meta.userProperties ?? {}) as Record<string, unknown>;
  const attempt = Number(props.attempt ?? 1);
  return {
    messageId: typeof meta.messageId === "string" ? meta.messageId : context.invocationId,
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
    replayed: props.replayed === true,
  };
}

import { runRequestedSync } from "../shared/composition/sync";
import { syncRunMessageSchema } from "../shared/domain/sync/sync-request";
import { serviceBusFunction, type ServiceBusFunctionDefinition } from "./lib/definition";
import { handleQueue, type RetryPolicy } from "./lib/queue";

/**
 * A request that finds another run holding the sync waits for it: retried from 15 s, doubling to at
 * most 5 min, about an hour in all (longer than a run may last, so a crashed run's lease expires).
 */
export const syncRunRetryPolicy: RetryPolicy = {
  maxAttempts: 16,
  baseDelayMs: 15_000,
  maxDelayMs: 5 * 60_000,
};

/** Tests shorten the retry policy; the ports come from composition (`overrideServices`). */
export interface SyncRunOptions {
  readonly policy?: RetryPolicy;
}

/** The consumer of the `sync-run` queue: runs an admin's "run now" (POST /api/admin/sync/{kind}). */
export function syncRunHandler(options: SyncRunOptions = {}): ServiceBusFunctionDefinition["handler"] {
  return handleQueue(
    "sync-run",
    syncRunMessageSchema,
    async (message, work, context) => {
      const outcome = await runRequestedSync(message, (m) => context.log(m));
      context.log(`sync-run ${work.messageId}: ${message.kind} ${outcome}`);
    },
    { policy: options.policy ?? syncRunRetryPolicy },
  );
}

export const syncRun = serviceBusFunction({
  name: "sync-run",
  queueName: "sync-run",
  handler: syncRunHandler(),
});

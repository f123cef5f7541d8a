import { startHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { startServiceBus } from "../../../dev/servicebus";
import { syncRun } from "../../../functions/sync-run";
import { queueSettings } from "../../../shared/app/ports/work-queue";
import { resetServices } from "../../../shared/composition";
import { resetSettings } from "../../../shared/config";
import { eventually } from "../../support/eventually";
import type { AdminStack } from "./helpers";

/**
 * "Run now" for an admin stack: a local broker with the `sync-run` queue, the app's Service Bus
 * setting pointed at it, and the `sync-run` consumer on a host of its own. Returns what stops them.
 */
export async function startSyncQueue(): Promise<{ stop(): Promise<void> }> {
  const bus = await startServiceBus({
    queues: [
      {
        name: "sync-run",
        maxDeliveryCount: queueSettings["sync-run"].maxDeliveryCount,
        lockDurationMs: queueSettings["sync-run"].lockDurationSeconds * 1000,
      },
    ],
  });
  process.env.SERVICEBUS = bus.connectionString;
  resetSettings();
  await resetServices();
  const consumer = await startHost({
    functions: [syncRun],
    port: 0,
    env: { SERVICEBUS: bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
  return {
    async stop() {
      await consumer.stop();
      await bus.stop();
    },
  };
}

/** GET /api/admin/sync until `kind` has finished (succeeded or failed), at most 30 s. */
export async function syncSettled<T extends { kind: string; state: string }>(
  s: AdminStack,
  jar: Parameters<AdminStack["call"]>[0],
  kind: string,
): Promise<{ kinds: T[] }> {
  let report: { kinds: T[] } = { kinds: [] };
  await eventually(
    async () => {
      report = (await (await s.call(jar, "GET", "/api/admin/sync")).json()) as { kinds: T[] };
      const state = report.kinds.find((k) => k.kind === kind)?.state;
      return state === "succeeded" || state === "failed";
    },
    { timeoutMs: 30_000, intervalMs: 100, explain: () => `${kind} sync: ${JSON.stringify(report.kinds)}` },
  );
  return report;
}

import type { InvocationContext, Timer } from "@azure/functions";
import { runSync, type SyncRunResult } from "../../shared/app/sync/run-sync";
import type { SyncDependencies } from "../../shared/app/sync/sync-dependencies";
import { getServices } from "../../shared/composition";
import { syncDependencies } from "../../shared/composition/sync";
import type { SyncKind } from "../../shared/domain/sync/sync-kinds";

/**
 * A sync timer's handler: runs the sync (or notes that one is running) and logs the outcome. A run
 * also serves an admin's pending "run now" (runSync takes it up).
 */
export function syncTimerHandler(
  kind: SyncKind,
  dependencies: (context: InvocationContext) => Promise<SyncDependencies> = (context) =>
    syncDependencies(getServices(), (m) => context.log(m)),
): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const result: SyncRunResult = await runSync(await dependencies(context), kind, "timer");
    const line = `${kind}-sync: ${result.outcome}${result.runId === undefined ? "" : ` (run ${result.runId})`}`;
    if (result.outcome === "failed") context.warn(line);
    else context.log(line);
  };
}

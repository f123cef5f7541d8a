import type { InvocationContext, Timer } from "@azure/functions";
import { runSync } from "../../shared/composition/sync";
import type { SyncKind } from "../../shared/domain/sync/sync-kinds";

/**
 * A sync timer's handler: runs the sync (or notes that one is running) and logs the outcome. A run
 * also serves an admin's pending "run now" (runSync takes it up).
 */
export function syncTimerHandler(
  kind: SyncKind,
): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const result = await runSync(kind, "timer", (m) => context.log(m));
    const line = `${kind}-sync: ${result.outcome}${result.runId === undefined ? "" : ` (run ${result.runId})`}`;
    if (result.outcome === "failed") context.warn(line);
    else context.log(line);
  };
}

import type { InvocationContext, Timer } from "@azure/functions";
import { runHousekeeping, type HousekeepingDependencies } from "../shared/app/housekeeping";
import { getServices } from "../shared/composition";
import { timerFunction } from "./lib/definition";

/**
 * Daily (HOUSEKEEPING_SCHEDULE): deletes expired sign-in requests and sessions, sent-mail ids older than
 * 30 days and old replay records. Logs counts only.
 */
export function housekeepingHandler(
  dependencies: () => HousekeepingDependencies = () => {
    const s = getServices();
    return { ...s.expiredRows, now: s.now };
  },
): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const { deleted, failed } = await runHousekeeping(dependencies());
    const counts = Object.entries(deleted)
      .map(([area, count]) => `${area}=${count}`)
      .join(" ");
    context.log(`housekeeping: deleted ${counts}`);
    if (failed.length > 0) {
      context.error(`housekeeping: purge failed for ${failed.join(", ")}; the next run tries again`);
      throw new Error(`housekeeping: purge failed for ${failed.join(", ")}`);
    }
  };
}

export const housekeeping = timerFunction({
  name: "housekeeping",
  schedule: "%HOUSEKEEPING_SCHEDULE%",
  handler: housekeepingHandler(),
});

import type { InvocationContext, Timer } from "@azure/functions";
import { runHousekeeping } from "../shared/composition/housekeeping";
import { timerFunction } from "./lib/definition";

/**
 * Daily (HOUSEKEEPING_SCHEDULE): deletes expired sign-in requests and sessions, sent-mail ids older than
 * 30 days and old replay records. Logs counts only.
 */
export async function housekeepingHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { deleted, failed } = await runHousekeeping();
  const counts = Object.entries(deleted)
    .map(([area, count]) => `${area}=${count}`)
    .join(" ");
  context.log(`housekeeping: deleted ${counts}`);
  if (failed.length > 0) {
    context.error(`housekeeping: purge failed for ${failed.join(", ")}; the next run tries again`);
    throw new Error(`housekeeping: purge failed for ${failed.join(", ")}`);
  }
}

export const housekeeping = timerFunction({
  name: "housekeeping",
  schedule: "%HOUSEKEEPING_SCHEDULE%",
  handler: housekeepingHandler,
});

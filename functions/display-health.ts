import { checkDisplayHealth } from "../shared/composition/displays";
import { timerFunction } from "./lib/definition";

/**
 * Every 5 minutes (DISPLAY_HEALTH_SCHEDULE): mails the admins once when a display has been silent for
 * DISPLAY_SILENT_MINUTES, and once when it reports again. Logs counts only.
 */
export const displayHealth = timerFunction({
  name: "display-health",
  schedule: "%DISPLAY_HEALTH_SCHEDULE%",
  handler: async (_timer, context) => {
    const { wentSilent, cameBack } = await checkDisplayHealth();
    context.log(`display-health: ${wentSilent} went silent, ${cameBack} came back`);
  },
});

import { autoRelease as releaseNoShows } from "../shared/composition/displays";
import { timerFunction } from "./lib/definition";

/**
 * Every minute (AUTO_RELEASE_SCHEDULE): gives back rooms whose meetings needed a check-in that did not
 * come by the start + grace. Logs counts only.
 */
export const autoRelease = timerFunction({
  name: "auto-release",
  schedule: "%AUTO_RELEASE_SCHEDULE%",
  handler: async (_timer, context) => {
    const { released, completed, rooms } = await releaseNoShows();
    context.log(
      `auto-release: ${released} released, ${completed} owed release(s) completed in ${rooms} room(s) requiring check-in`,
    );
  },
});

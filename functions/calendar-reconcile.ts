import { reconcileRoomCalendars } from "../shared/composition/calendar";
import { timerFunction, type TimerFunctionDefinition } from "./lib/definition";

/**
 * Every 15 minutes (CALENDAR_RECONCILE_SCHEDULE): each active room's coming days
 * (CALENDAR_RECONCILE_DAYS) read from Graph and compared with ONES's slots; drift is repaired either
 * way and recorded on the room. Application modes only.
 */
export function calendarReconcileHandler(
  reconcile: typeof reconcileRoomCalendars = reconcileRoomCalendars,
): TimerFunctionDefinition["handler"] {
  return async (_timer, context) => {
    const counts = await reconcile((m) => context.log(m));
    if (counts === "not-applicable") context.log("reconcile: not used in this integration mode");
    else
      context.log(
        `reconcile: ${counts.rooms} rooms, drift ${counts.driftFound} found, ${counts.driftRepaired} repaired, ${counts.failed} failed`,
      );
  };
}

export const calendarReconcile = timerFunction({
  name: "calendar-reconcile",
  schedule: "%CALENDAR_RECONCILE_SCHEDULE%",
  handler: calendarReconcileHandler(),
});

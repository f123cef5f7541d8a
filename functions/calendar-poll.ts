import { pollRoomCalendars } from "../shared/composition/calendar";
import { timerFunction, type TimerFunctionDefinition } from "./lib/definition";

/**
 * Every minute (CALENDAR_POLL_SCHEDULE), delegated modes: each active room's calendar read with the
 * token of a signed-in user it is shared with, rooms spread over the period; changes reach bookings
 * through the same sink as notifications.
 */
export function calendarPollHandler(
  poll: typeof pollRoomCalendars = pollRoomCalendars,
): TimerFunctionDefinition["handler"] {
  return async (_timer, context) => {
    const started = performance.now();
    const counts = await poll((m) => context.log(m));
    if (counts === "not-applicable") context.log("calendar poll: not used in this integration mode");
    else
      context.log(
        `calendar poll: ${counts.rooms} rooms, ${counts.read} read, ${counts.changed} changed, ${counts.noSharingUser} without a sharing user, ${counts.failed} failed, ${Math.round(performance.now() - started)} ms`,
      );
  };
}

export const calendarPoll = timerFunction({
  name: "calendar-poll",
  schedule: "%CALENDAR_POLL_SCHEDULE%",
  handler: calendarPollHandler(),
});

import type { SimulatorModule } from "../modules";
import { registerCalendarRoutes } from "./routes";
import { registerCalendarControlRoutes } from "./control";
import { seedCalendars } from "./seed";

export {
  calendarControl,
  CalendarControl,
  type MeetingSpec,
  type MeetingPatch,
  type CalendarSettings,
  type RoomAction,
} from "./control";
export type { CalendarSeed } from "./seed";
export type { CalendarProcessing, MeetingMessage } from "../store/calendars";

/** Calendars: events, calendarView (+delta), getSchedule, room mailbox processing; control under /_sim/calendar. */
export const calendarModule: SimulatorModule = {
  name: "calendar",
  register(router) {
    registerCalendarRoutes(router);
    registerCalendarControlRoutes(router);
  },
  onSeed(sim, seed) {
    seedCalendars(sim, seed);
  },
};

import type { CalendarWindow, RoomCalendarEvent, RoomCalendarRead } from "./room-calendars";

/**
 * A room's calendar read with a signed-in user's token (delegated modes), the user being one the
 * room's calendar is shared with. Failures are GraphCallErrors (403: the user may not read the
 * calendar, 404: no such mailbox) or the token provider's `unauthenticated` (no working sign-in).
 */
export interface UserRoomCalendarReader {
  /**
   * `calendarView/delta` of the window, or the changes since `deltaLink`. Graph serves the first page
   * of a delegated delta round on someone else's calendar but may refuse the links that follow with
   * 403; that comes back as `follow-up-refused` (so does a 403 on a stored delta link, which only a
   * plain read can tell apart from lost access).
   */
  delta(
    userId: string,
    roomEmail: string,
    from: { readonly deltaLink: string } | { readonly window: CalendarWindow },
  ): Promise<
    { readonly kind: "read"; readonly read: RoomCalendarRead } | { readonly kind: "follow-up-refused" }
  >;
  /** Plain `calendarView` of the window, every page: the whole window each time. */
  view(userId: string, roomEmail: string, window: CalendarWindow): Promise<readonly RoomCalendarEvent[]>;
}

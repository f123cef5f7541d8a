import type { CalendarWindow, RoomCalendarEvent, RoomCalendarRead } from "../../app/ports/room-calendars";
import type { UserRoomCalendarReader } from "../../app/ports/user-room-calendars";
import { GraphCallError, isGraphCallError } from "../../domain/integration/graph-call-error";
import type { GraphClient } from "./graph-client";
import { HEADERS, toEvent, type DeltaEvent } from "./graph-room-calendar-reader";

/** What a plain read asks for: the fields `toEvent` keeps. */
const VIEW_SELECT =
  "id,iCalUId,type,seriesMasterId,originalStart,start,end,isCancelled,changeKey,lastModifiedDateTime,organizer";

const windowQuery = (w: CalendarWindow): string =>
  `startDateTime=${encodeURIComponent(w.start.toISOString())}&endDateTime=${encodeURIComponent(
    w.end.toISOString(),
  )}`;

/**
 * Room calendars with a signed-in user's token (delegated modes): `calendarView/delta` where Graph
 * lets the user follow its links, plain `calendarView` otherwise. Every page waits for the room's
 * mailbox slot (the worker's per-mailbox limiter, shared with every other Graph client).
 */
export class GraphUserRoomCalendarReader implements UserRoomCalendarReader {
  constructor(private readonly clientFor: (userId: string) => GraphClient) {}

  async delta(
    userId: string,
    roomEmail: string,
    from: { readonly deltaLink: string } | { readonly window: CalendarWindow },
  ): Promise<{ kind: "read"; read: RoomCalendarRead } | { kind: "follow-up-refused" }> {
    const stored = "deltaLink" in from;
    const first = stored
      ? from.deltaLink
      : `/users/${encodeURIComponent(roomEmail)}/calendarView/delta?${windowQuery(from.window)}`;
    const events = new Map<string, RoomCalendarEvent>();
    let deltaLink: string | undefined;
    let pages = 0;
    try {
      for await (const page of this.clientFor(userId).pages<DeltaEvent>(first, {
        headers: HEADERS,
        mailbox: roomEmail,
      })) {
        pages++;
        for (const item of page.items) events.set(item.id, toEvent(item));
        deltaLink = page.deltaLink ?? deltaLink;
      }
    } catch (error) {
      // Graph refuses a delegated user the links of a delta round on another mailbox (after page 1).
      if (isGraphCallError(error) && error.status === 403 && (pages > 0 || stored))
        return { kind: "follow-up-refused" };
      throw error;
    }
    if (deltaLink === undefined) {
      throw new GraphCallError(
        "dependency-unavailable",
        "Microsoft Graph ended a calendar delta round without a delta link.",
        502,
        undefined,
        undefined,
        { retryable: true },
      );
    }
    return { kind: "read", read: { events: [...events.values()], deltaLink } };
  }

  async view(userId: string, roomEmail: string, window: CalendarWindow): Promise<RoomCalendarEvent[]> {
    const first = `/users/${encodeURIComponent(roomEmail)}/calendarView?${windowQuery(window)}&$select=${VIEW_SELECT}&$top=100`;
    const events = new Map<string, RoomCalendarEvent>();
    for await (const page of this.clientFor(userId).pages<DeltaEvent>(first, {
      headers: HEADERS,
      mailbox: roomEmail,
    })) {
      for (const item of page.items) events.set(item.id, toEvent(item));
    }
    return [...events.values()];
  }
}

import type {
  CalendarWindow,
  RoomCalendarEvent,
  RoomCalendarRead,
  RoomCalendarReader,
} from "../../app/ports/room-calendars";
import { GraphCallError } from "../../domain/integration/graph-call-error";
import type { GraphClient } from "./graph-client";

/** An event as calendarView and its delta answer it (the fields bookings need). */
export interface DeltaEvent {
  readonly id: string;
  readonly "@removed"?: { readonly reason?: string };
  readonly iCalUId?: string;
  readonly type?: string;
  readonly seriesMasterId?: string | null;
  readonly originalStart?: string | null;
  readonly start?: { readonly dateTime: string; readonly timeZone?: string };
  readonly end?: { readonly dateTime: string; readonly timeZone?: string };
  readonly isCancelled?: boolean;
  readonly changeKey?: string;
  readonly lastModifiedDateTime?: string;
  readonly organizer?: { readonly emailAddress?: { readonly address?: string } };
}

/** Times in UTC, pages of 100: the same preference with every page of a round. */
export const HEADERS = { Prefer: 'outlook.timezone="UTC", odata.maxpagesize=100' };

/**
 * A room's calendar through `calendarView/delta` (app-only token), page by page to the delta link.
 * Each page waits for the room's mailbox slot. Only what bookings need is kept of each event.
 */
export class GraphRoomCalendarReader implements RoomCalendarReader {
  constructor(private readonly client: GraphClient) {}

  async read(
    roomEmail: string,
    from: { readonly deltaLink: string } | { readonly window: CalendarWindow },
  ): Promise<RoomCalendarRead> {
    const first =
      "deltaLink" in from
        ? from.deltaLink
        : `/users/${encodeURIComponent(roomEmail)}/calendarView/delta?startDateTime=${encodeURIComponent(
            from.window.start.toISOString(),
          )}&endDateTime=${encodeURIComponent(from.window.end.toISOString())}`;
    const events = new Map<string, RoomCalendarEvent>();
    let deltaLink: string | undefined;
    for await (const page of this.client.pages<DeltaEvent>(first, { headers: HEADERS, mailbox: roomEmail })) {
      // A later page about the same event supersedes an earlier one.
      for (const item of page.items) events.set(item.id, toEvent(item));
      deltaLink = page.deltaLink ?? deltaLink;
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
    return { events: [...events.values()], deltaLink };
  }
}

/** One event of a Graph answer as ONES keeps it. */
export function toEvent(item: DeltaEvent): RoomCalendarEvent {
  if (item["@removed"] !== undefined) return { id: item.id, removed: true };
  const organizer = item.organizer?.emailAddress?.address;
  return {
    id: item.id,
    removed: false,
    ...(item.iCalUId === undefined ? {} : { iCalUId: item.iCalUId }),
    ...(item.type === undefined ? {} : { type: item.type }),
    ...(item.seriesMasterId === undefined || item.seriesMasterId === null
      ? {}
      : { seriesMasterId: item.seriesMasterId }),
    ...(item.originalStart === undefined || item.originalStart === null
      ? {}
      : { originalStart: new Date(Date.parse(item.originalStart)).toISOString() }),
    ...(item.start === undefined ? {} : { start: utcInstant(item.start.dateTime) }),
    ...(item.end === undefined ? {} : { end: utcInstant(item.end.dateTime) }),
    ...(item.isCancelled === undefined ? {} : { isCancelled: item.isCancelled }),
    ...(item.changeKey === undefined ? {} : { changeKey: item.changeKey }),
    ...(item.lastModifiedDateTime === undefined
      ? {}
      : { lastModified: utcInstant(item.lastModifiedDateTime) }),
    ...(organizer === undefined ? {} : { organizerEmail: organizer.toLowerCase() }),
  };
}

/** Graph's UTC wall time ("2026-12-03T09:00:00.0000000") as an ISO instant. */
export function utcInstant(dateTime: string): string {
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(dateTime) ? dateTime : `${dateTime}Z`);
  return Number.isNaN(ms) ? dateTime : new Date(ms).toISOString();
}

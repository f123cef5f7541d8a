import { Temporal } from "temporal-polyfill";
import type {
  CalendarActor,
  CalendarEventInput,
  CalendarEventPatch,
  CalendarEventState,
  CalendarGateway,
} from "../../app/ports/calendar-gateway";
import type { RoomResponse } from "../../domain/bookings/booking";
import type { Recurrence } from "../../domain/bookings/recurrence";
import { isGraphCallError } from "../../domain/integration/graph-call-error";
import { toWindowsZone } from "../../domain/rooms/time-zones";
import type { GraphClient } from "./graph-client";

/**
 * The single-value extended property that carries the ONES booking id on every event ONES writes
 * (a String property in ONES's own property set). Events are found by it with `$filter`, so a retry
 * after a crash finds the event it made instead of making another.
 */
export const BOOKING_ID_PROPERTY = "String {6c3f2a8e-5b1d-4e7a-9c2f-0e4b8d1a7f35} Name onesBookingId";

/** Instants come back in UTC; ids stay fixed while the item stays in its mailbox. */
const PREFER = { Prefer: 'outlook.timezone="UTC", IdType="ImmutableId"' };
const SELECT = "id,iCalUId,isCancelled,attendees,type,start,originalStart";

interface GraphAttendee {
  type?: string;
  emailAddress?: { address?: string };
  status?: { response?: string };
}
interface GraphEvent {
  id: string;
  iCalUId?: string;
  isCancelled?: boolean;
  "@odata.etag"?: string;
  attendees?: GraphAttendee[];
  originalStart?: string;
  start?: { dateTime?: string };
}

export class GraphCalendarGateway implements CalendarGateway {
  constructor(private readonly clients: { app(): GraphClient; user(userId: string): GraphClient }) {}

  private client(actor: CalendarActor): GraphClient {
    return actor.kind === "app" ? this.clients.app() : this.clients.user(actor.userId);
  }

  async findByBookingId(
    actor: CalendarActor,
    mailbox: string,
    bookingId: string,
  ): Promise<CalendarEventState | undefined> {
    const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${bookingId.replace(/'/g, "''")}')`;
    const path = `${events(mailbox)}?$filter=${encodeURIComponent(filter)}&$select=${SELECT}`;
    const body = await this.client(actor).get<{ value?: GraphEvent[] }>(path, { headers: PREFER, mailbox });
    const found = (body.value ?? [])[0];
    return found === undefined ? undefined : stateOf(found);
  }

  async create(
    actor: CalendarActor,
    mailbox: string,
    input: CalendarEventInput,
  ): Promise<CalendarEventState> {
    const body = {
      ...eventBody(input),
      transactionId: input.bookingId,
      singleValueExtendedProperties: [{ id: BOOKING_ID_PROPERTY, value: input.bookingId }],
    };
    const created = await this.client(actor).post<GraphEvent>(events(mailbox), body, {
      headers: PREFER,
      mailbox,
    });
    return stateOf(created);
  }

  async get(actor: CalendarActor, mailbox: string, eventId: string): Promise<CalendarEventState | undefined> {
    try {
      const ev = await this.client(actor).get<GraphEvent>(
        `${events(mailbox)}/${encodeURIComponent(eventId)}?$select=${SELECT}`,
        {
          headers: PREFER,
          mailbox,
        },
      );
      return stateOf(ev);
    } catch (error) {
      if (isGraphCallError(error) && error.status === 404) return undefined;
      throw error;
    }
  }

  async update(
    actor: CalendarActor,
    mailbox: string,
    eventId: string,
    patch: CalendarEventPatch,
    etag?: string,
  ): Promise<CalendarEventState> {
    const path = `${events(mailbox)}/${encodeURIComponent(eventId)}`;
    const body = patchBody(patch);
    let current = etag;
    for (let attempt = 1; ; attempt++) {
      try {
        const headers = { ...PREFER, ...(current === undefined ? {} : { "If-Match": current }) };
        return stateOf(await this.client(actor).patch<GraphEvent>(path, body, { headers, mailbox }));
      } catch (error) {
        // 412: someone changed the event since we read it. Re-read its version and apply ours again.
        if (!isGraphCallError(error) || error.status !== 412 || attempt >= 3) throw error;
        current = (await this.get(actor, mailbox, eventId))?.etag;
      }
    }
  }

  async cancel(actor: CalendarActor, mailbox: string, eventId: string, comment?: string): Promise<void> {
    try {
      await this.client(actor).post(
        `${events(mailbox)}/${encodeURIComponent(eventId)}/cancel`,
        { comment: comment ?? "" },
        { headers: PREFER, mailbox },
      );
    } catch (error) {
      if (isGraphCallError(error) && error.status === 404) return;
      throw error;
    }
  }

  async cancelOccurrence(
    actor: CalendarActor,
    mailbox: string,
    seriesId: string,
    originalStart: number,
  ): Promise<void> {
    const occurrence = await this.occurrence(actor, mailbox, seriesId, originalStart);
    if (occurrence !== undefined) await this.cancel(actor, mailbox, occurrence.id);
  }

  async moveOccurrence(
    actor: CalendarActor,
    mailbox: string,
    seriesId: string,
    originalStart: number,
    to: { readonly start: number; readonly end: number },
  ): Promise<void> {
    const occurrence = await this.occurrence(actor, mailbox, seriesId, originalStart);
    if (occurrence === undefined) return;
    await this.client(actor).patch(
      `${events(mailbox)}/${encodeURIComponent(occurrence.id)}`,
      { start: utc(to.start), end: utc(to.end) },
      { headers: PREFER, mailbox },
    );
  }

  /**
   * The series' occurrence (or exception) whose original start is `originalStart`. `/instances`
   * filters on where an instance is now, so a moved occurrence may lie outside the first, narrow window:
   * a wider one follows (Outlook keeps a moved occurrence between its neighbours). A cancelled
   * occurrence is not listed at all, so a second cancel finds nothing to do.
   */
  private async occurrence(
    actor: CalendarActor,
    mailbox: string,
    seriesId: string,
    originalStart: number,
  ): Promise<GraphEvent | undefined> {
    const day = 86_400_000;
    for (const days of [2, 35]) {
      const query = `startDateTime=${iso(originalStart - days * day)}&endDateTime=${iso(originalStart + days * day)}`;
      const path = `${events(mailbox)}/${encodeURIComponent(seriesId)}/instances?${query}&$select=${SELECT}`;
      for await (const page of this.client(actor).pages<GraphEvent>(path, { headers: PREFER, mailbox })) {
        const hit = page.items.find((e) => {
          const original = e.originalStart ?? e.start?.dateTime;
          return original !== undefined && Date.parse(withZ(original)) === originalStart;
        });
        if (hit !== undefined) return hit;
      }
    }
    return undefined;
  }
}

const events = (mailbox: string): string => `/users/${encodeURIComponent(mailbox)}/events`;
const iso = (ms: number): string => new Date(ms).toISOString();
const withZ = (s: string): string => (/[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
const utc = (ms: number) => ({ dateTime: iso(ms).replace("Z", ""), timeZone: "UTC" });

/** The zone as Graph takes it on writes: its Windows name, else the IANA name. */
const graphZone = (iana: string): string => toWindowsZone(iana) ?? iana;

/** Wall-clock time in the zone (recurring and all-day events are written this way). */
function wall(ms: number, timeZone: string) {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
  return {
    dateTime: z.toPlainDateTime().toString({ smallestUnit: "second" }),
    timeZone: graphZone(timeZone),
  };
}

function graphRecurrence(r: Recurrence, start: number, timeZone: string): Record<string, unknown> {
  const startDate = Temporal.Instant.fromEpochMilliseconds(start)
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
    .toString();
  return {
    pattern: r.pattern,
    range:
      r.range.type === "endDate"
        ? { type: "endDate", startDate, endDate: r.range.endDate, recurrenceTimeZone: graphZone(timeZone) }
        : {
            type: "numbered",
            startDate,
            numberOfOccurrences: r.range.numberOfOccurrences,
            recurrenceTimeZone: graphZone(timeZone),
          },
  };
}

function people(input: Pick<CalendarEventInput, "attendees" | "rooms">): unknown[] {
  return [
    ...input.attendees.map((a) => ({
      type: a.type,
      emailAddress: { address: a.email, ...(a.name === undefined ? {} : { name: a.name }) },
    })),
    ...input.rooms.map((r) => ({ type: "resource", emailAddress: { address: r.email, name: r.name } })),
  ];
}

function places(rooms: CalendarEventInput["rooms"]): Record<string, unknown> {
  const locations = rooms.map((r) => ({
    displayName: r.name,
    locationType: "conferenceRoom",
    locationEmailAddress: r.email,
  }));
  return { location: locations[0] ?? {}, locations };
}

function eventBody(input: CalendarEventInput): Record<string, unknown> {
  const local = input.recurrence !== undefined || input.isAllDay;
  const at = (ms: number) => (local ? wall(ms, input.timeZone) : utc(ms));
  return {
    subject: input.subject,
    ...(input.body === undefined ? {} : { body: { contentType: "text", content: input.body } }),
    start: at(input.start),
    end: at(input.end),
    isAllDay: input.isAllDay,
    isOnlineMeeting: input.isOnlineMeeting,
    ...(input.isOnlineMeeting ? { onlineMeetingProvider: "teamsForBusiness" } : {}),
    ...places(input.rooms),
    attendees: people(input),
    ...(input.recurrence === undefined
      ? {}
      : { recurrence: graphRecurrence(input.recurrence, input.start, input.timeZone) }),
  };
}

function patchBody(p: CalendarEventPatch): Record<string, unknown> {
  return {
    ...(p.subject === undefined ? {} : { subject: p.subject }),
    ...(p.body === undefined ? {} : { body: { contentType: "text", content: p.body } }),
    ...(p.start === undefined
      ? {}
      : { start: p.timeZone === undefined ? utc(p.start) : wall(p.start, p.timeZone) }),
    ...(p.end === undefined ? {} : { end: p.timeZone === undefined ? utc(p.end) : wall(p.end, p.timeZone) }),
    ...(p.isOnlineMeeting === undefined ? {} : { isOnlineMeeting: p.isOnlineMeeting }),
    ...(p.attendees === undefined || p.rooms === undefined
      ? {}
      : { attendees: people({ attendees: p.attendees, rooms: p.rooms }) }),
    ...(p.rooms === undefined ? {} : places(p.rooms)),
  };
}

function responseOf(raw: string | undefined): RoomResponse {
  if (raw === "accepted" || raw === "declined" || raw === "tentativelyAccepted") return raw;
  return "none";
}

function stateOf(ev: GraphEvent): CalendarEventState {
  const roomResponses: Record<string, RoomResponse> = {};
  for (const a of ev.attendees ?? []) {
    const address = a.emailAddress?.address?.toLowerCase();
    if (a.type === "resource" && address !== undefined)
      roomResponses[address] = responseOf(a.status?.response);
  }
  return {
    eventId: ev.id,
    ...(ev.iCalUId === undefined ? {} : { iCalUId: ev.iCalUId }),
    ...(ev["@odata.etag"] === undefined ? {} : { etag: ev["@odata.etag"] }),
    isCancelled: ev.isCancelled === true,
    roomResponses,
  };
}

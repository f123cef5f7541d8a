import { BOOKING_ID_PROPERTY } from "../../shared/adapters/graph/graph-calendar-gateway";
import {
  BOOKINGS_BY_ORGANIZER_TABLE,
  TableBookingStore,
} from "../../shared/adapters/tables/table-booking-store";
import { TableRoomEventIndex } from "../../shared/adapters/tables/table-room-events";
import { outlookBookingId } from "../../shared/app/calendar/booking-sink";
import { mailboxId } from "../../shared/domain/rooms/room";
import { getServices } from "../../shared/composition/services";
import type { SoakLedger } from "./operations";
import type { SoakStack } from "./stack";

/** What the checks found; every list empty means every invariant holds. */
export interface InvariantReport {
  /** Per room: times on one side only ("ones"/"graph" start|end). */
  readonly divergences: string[];
  /** Overlapping live events in a room calendar (Graph) or slots in ONES's store. */
  readonly doubleBooked: string[];
  /** Accepted bookings neither confirmed, declined/cancelled/failed with a reason, nor dead-lettered. */
  readonly lost: string[];
  /** A ONES booking with two live events in one mailbox, or two room events with one iCalUId. */
  readonly duplicateEvents: string[];
  /** System mails that reached the sink more than once (by the ONES message id). */
  readonly duplicateMails: string[];
  readonly bookings: Record<string, number>;
  readonly mails: number;
}

interface Slot {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

interface ViewEvent {
  id: string;
  iCalUId?: string;
  type?: string;
  seriesMasterId?: string;
  organizer?: { emailAddress?: { address?: string } };
  singleValueExtendedProperties?: { id: string; value: string }[];
  isCancelled?: boolean;
  start: { dateTime: string };
  end: { dateTime: string };
}

const utc = (text: string): number => Date.parse(`${text.replace(/Z$/, "")}Z`);

/** Live events of a room in [from, to) as Graph's calendarView shows them (occurrences expanded). */
async function roomView(stack: SoakStack, room: string, from: number, to: number): Promise<ViewEvent[]> {
  const token = await stack.graphToken();
  const events: ViewEvent[] = [];
  let url: string | undefined =
    `${stack.sim.graphBaseUrl}/v1.0/users/${encodeURIComponent(room)}/calendarView?startDateTime=${new Date(from).toISOString()}&endDateTime=${new Date(to).toISOString()}&$top=500&$select=id,iCalUId,start,end,isCancelled,type,seriesMasterId,organizer&$expand=singleValueExtendedProperties($filter=id eq '${BOOKING_ID_PROPERTY}')`;
  while (url !== undefined) {
    const res: Response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, prefer: 'outlook.timezone="UTC"' },
    });
    if (!res.ok) throw new Error(`calendarView of ${room} answered ${res.status}`);
    const page = (await res.json()) as { value: ViewEvent[]; "@odata.nextLink"?: string };
    events.push(...page.value.filter((e) => e.isCancelled !== true));
    url = page["@odata.nextLink"];
  }
  return events;
}

function overlaps(slots: readonly Slot[]): string[] {
  const sorted = [...slots].sort((a, b) => a.start - b.start || a.end - b.end);
  const found: string[] = [];
  let reach: Slot | undefined;
  for (const slot of sorted) {
    if (reach !== undefined && slot.start < reach.end) found.push(`${reach.label} overlaps ${slot.label}`);
    if (reach === undefined || slot.end > reach.end) reach = slot;
  }
  return found;
}

/** An event in a finding: its type, organizer and the ONES booking id it carries, never its subject. */
function describe(e: ViewEvent): string {
  const stamp = e.singleValueExtendedProperties?.[0]?.value;
  return `${e.type ?? "event"} …${e.id.slice(-10)} by ${e.organizer?.emailAddress?.address ?? "?"}${stamp === undefined ? "" : ` (ONES ${stamp})`}`;
}

const when = (s: { start: number; end: number }): string =>
  `${new Date(s.start).toISOString()}|${new Date(s.end).toISOString()}`;

/** Times on one side only, as a multiset difference both ways. */
function difference(room: string, ones: readonly Slot[], graph: readonly Slot[]): string[] {
  const left = new Map<string, number>();
  for (const s of ones) left.set(when(s), (left.get(when(s)) ?? 0) + 1);
  const out: string[] = [];
  for (const s of graph) {
    const n = left.get(when(s)) ?? 0;
    if (n > 0) left.set(when(s), n - 1);
    else out.push(`${room}: only in the room calendar ${when(s)} ${s.label}`);
  }
  for (const [key, n] of left) {
    const labels = ones.filter((s) => when(s) === key).map((s) => s.label);
    for (let i = 0; i < n; i++) out.push(`${room}: only in ONES ${key} ${labels.join(" / ")}`);
  }
  return out;
}

/**
 * A ONES booking as the soak sees it: its state, source, slots, links to its events, and the events
 * carrying its id or iCalUId in the room's and the organizer's mailboxes (live or cancelled).
 */
async function bookingTrail(
  stack: SoakStack,
  store: TableBookingStore,
  room: string,
  id: string,
): Promise<string> {
  const b = (await store.get(id))?.booking;
  if (b === undefined) return "no such booking (a stale slot)";
  const events = (mailbox: string): string => {
    const found = stack.sim.control.calendar.events(mailbox).filter((ev) => {
      const stamp = ev.singleValueExtendedProperties?.find(
        (p) => p.id?.toLowerCase() === BOOKING_ID_PROPERTY.toLowerCase(),
      )?.value;
      return stamp === id || (b.calendar?.iCalUId !== undefined && ev.iCalUId === b.calendar.iCalUId);
    });
    return found.length === 0
      ? "none"
      : found
          .map(
            (ev) =>
              `${String(ev.type)} ${String(ev.start?.dateTime)}–${String(ev.end?.dateTime)}${ev.isCancelled === true ? " cancelled" : ""} ${String((ev as { responseStatus?: { response?: string } }).responseStatus?.response ?? "")}`,
          )
          .join(", ");
  };
  const slots = Object.entries(b.reserved)
    .map(([r, s]) => `${r}: ${s.map((x) => when(x)).join(",")}`)
    .join("; ");
  const organizerMailbox = b.calendar?.mailbox;
  const links = (await new TableRoomEventIndex(getServices().tables).ofRoom(mailboxId(room)))
    .filter((l) => l.bookingId === id)
    .map(
      (l) =>
        `${l.eventId.startsWith("series:") ? "series" : `…${l.eventId.slice(-10)}`} ${l.key} g${l.generation ?? 0}`,
    );
  const owed = (b.occurrencesOwed ?? []).map((o) => o.key).join(",");
  return `${b.source} booking ${b.state} v${b.version}${b.calendarOwed === undefined ? "" : ` owes ${b.calendarOwed}`}${owed === "" ? "" : ` owes occurrences ${owed}`}${b.presence === undefined ? "" : ` presence ${JSON.stringify(b.presence)}`} updated ${b.updatedAt} start ${new Date(b.start).toISOString()}, reserved {${slots}}, event ${b.calendar?.eventId === undefined ? "none" : `…${b.calendar.eventId.slice(-10)}`}; room events [${events(room)}]${organizerMailbox === undefined || organizerMailbox === room ? "" : `; organizer events [${events(organizerMailbox)}]`}; links [${links.join(", ")}]`;
}

/** Store against calendars for every soak room over [from, to): divergences and double bookings. */
export async function compareRooms(
  stack: SoakStack,
  from: number,
  to: number,
): Promise<{ divergences: string[]; doubleBooked: string[] }> {
  const store = new TableBookingStore(getServices().tables);
  const divergences: string[] = [];
  const doubleBooked: string[] = [];
  for (const room of [...stack.rooms.shared, ...stack.rooms.onesOnly]) {
    const events = await roomView(stack, room, from, to);
    const graph = events.map((e) => ({
      start: utc(e.start.dateTime),
      end: utc(e.end.dateTime),
      label: describe(e),
    }));
    const ones = (await store.roomSlots(mailboxId(room), from, to))
      .filter((s) => s.end > from && s.start < to)
      .map((s) => ({ start: s.start, end: s.end, label: `booking ${s.bookingId}` }));
    const found = difference(room, ones, graph);
    // Name the ONES booking behind an event found on the room's side only (by its iCalUId).
    for (const [i, line] of found.entries()) {
      const event = events.find((e) => line.includes(describe(e)));
      const booking = event?.iCalUId === undefined ? undefined : await store.findByICalUId(event.iCalUId);
      if (booking !== undefined) {
        const link =
          event === undefined
            ? undefined
            : await new TableRoomEventIndex(getServices().tables).get(mailboxId(room), event.id);
        found[i] =
          `${line}: ONES booking ${booking.id} is ${booking.state} v${booking.version}` +
          `${booking.reason === undefined ? "" : ` ("${booking.reason}")`}; link ${link === undefined ? "none" : `${link.bookingId} g${link.generation ?? 0}`}`;
      } else if (event !== undefined) {
        // An Outlook meeting: the booking its room copy becomes, and the room's link to it.
        const id = outlookBookingId(mailboxId(room), event.seriesMasterId ?? event.id);
        const link = await new TableRoomEventIndex(getServices().tables).get(mailboxId(room), event.id);
        found[i] =
          `${line}: ${await bookingTrail(stack, store, room, id)}; link ${link === undefined ? "none" : `${link.bookingId} ${link.key} g${link.generation ?? 0}`}`;
      }
    }
    // Name the state of the booking behind a slot found on ONES's side only, and where its events are.
    for (const [i, line] of found.entries()) {
      if (!line.includes(": only in ONES ")) continue;
      const ids = [...line.matchAll(/booking (\S+)/g)].map((m) => m[1] as string);
      const trails = await Promise.all(ids.map((id) => bookingTrail(stack, store, room, id)));
      found[i] = `${line}: ${trails.map((t, k) => `[${ids[k]}: ${t}]`).join(" ")}`;
    }
    divergences.push(...found);
    doubleBooked.push(...overlaps(graph).map((o) => `${room} (room calendar): ${o}`));
    // Name where each booking of a pair overlapping in ONES stands, and its events.
    for (const o of overlaps(ones)) {
      const ids = [...o.matchAll(/booking (\S+)/g)].map((m) => m[1] as string);
      const trails = await Promise.all(ids.map((id) => bookingTrail(stack, store, room, id)));
      doubleBooked.push(`${room} (ONES): ${o}: ${trails.map((t, k) => `[${ids[k]}: ${t}]`).join(" ")}`);
    }
  }
  return { divergences, doubleBooked };
}

/** Every invariant, after quiescence and reconcile. */
export async function checkInvariants(
  stack: SoakStack,
  ledger: SoakLedger,
  window: { from: number; to: number },
): Promise<InvariantReport> {
  const services = getServices();
  const compared = await compareRooms(stack, window.from, window.to);
  const { divergences } = compared;
  // A double booking names what the displays did to each booking of the pair, if anything.
  const doubleBooked = compared.doubleBooked.map((line) => {
    const ids = [...new Set([...line.matchAll(/(?:booking|ONES) ([0-9a-f-]{36})/g)].map((m) => m[1]))];
    const trails = ids.flatMap((id) => {
      const trail = id === undefined ? undefined : ledger.displayTrail?.get(id);
      return trail === undefined ? [] : [`${id} on displays: ${trail.join("; ")}`];
    });
    return trails.length === 0 ? line : `${line} {${trails.join(" / ")}}`;
  });

  // Every booking ONES has (the organizer index lists them all), and every one the API accepted.
  const store = new TableBookingStore(services.tables);
  const index = await services.tables.table(BOOKINGS_BY_ORGANIZER_TABLE);
  const ids = new Set<string>(ledger.accepted.map((b) => b.id));
  for await (const row of index.listEntities<{ bookingId?: string }>())
    if (typeof row.bookingId === "string") ids.add(row.bookingId);
  const letters = await services.deadLetters.list({ limit: 1000 });
  const deadLettered = (id: string): boolean =>
    letters.some((l) => l.reason !== "" && JSON.stringify(l.body ?? null).includes(id));
  const bookings: Record<string, number> = {};
  const lost: string[] = [];
  for (const id of ids) {
    const booking = (await store.get(id))?.booking;
    const state = booking?.state ?? "missing";
    bookings[state] = (bookings[state] ?? 0) + 1;
    if (booking === undefined) {
      if (!deadLettered(id)) lost.push(`${id}: accepted, then gone from the store`);
    } else if (state === "pending" || state === "awaiting-approval") {
      if (!deadLettered(id)) lost.push(`${id}: still ${state}`);
    } else if (["declined", "failed", "rejected", "expired"].includes(state)) {
      if ((booking.reason ?? "").trim() === "") lost.push(`${id}: ${state} without a reason`);
    }
  }

  // Duplicate events: per mailbox, a ONES booking id on two live events; per room, an iCalUId twice.
  const duplicateEvents: string[] = [];
  const mailboxes = [...stack.staff.map((s) => s.upn), ...stack.rooms.shared, ...stack.rooms.onesOnly];
  for (const mailbox of mailboxes) {
    const seen = new Map<string, number>();
    const uids = new Map<string, number>();
    for (const ev of stack.sim.control.calendar.events(mailbox)) {
      if (ev.isCancelled === true) continue;
      const stamp = ev.singleValueExtendedProperties?.find(
        (p) => p.id?.toLowerCase() === BOOKING_ID_PROPERTY.toLowerCase(),
      )?.value;
      if (typeof stamp === "string" && stamp !== "") seen.set(stamp, (seen.get(stamp) ?? 0) + 1);
      if (typeof ev.iCalUId === "string") uids.set(ev.iCalUId, (uids.get(ev.iCalUId) ?? 0) + 1);
    }
    for (const [id, n] of seen) if (n > 1) duplicateEvents.push(`${mailbox}: booking ${id} on ${n} events`);
    for (const [uid, n] of uids)
      if (n > 1) duplicateEvents.push(`${mailbox}: iCalUId …${uid.slice(-12)} ${n} times`);
  }

  const mails = stack.mail.messages();
  const byId = new Map<string, number>();
  for (const m of mails) {
    const id = m.headers["x-ones-message-id"] ?? m.messageId ?? m.id;
    byId.set(id, (byId.get(id) ?? 0) + 1);
  }
  const duplicateMails = [...byId].filter(([, n]) => n > 1).map(([id, n]) => `${id} sent ${n} times`);

  return { divergences, doubleBooked, lost, duplicateEvents, duplicateMails, bookings, mails: mails.length };
}

import { createHash } from "node:crypto";
import type { Principal } from "../../domain/auth/principal";
import { holdsSlots, isFinal, occurrenceKey, type Booking } from "../../domain/bookings/booking";
import type { Refusal } from "../../domain/bookings/evaluate";
import type { Slot } from "../../domain/bookings/slots";
import type { Room } from "../../domain/rooms/room";
import { endBooking } from "../bookings/booking-commands";
import { checkPolicies } from "../bookings/create-booking";
import {
  enqueueCommand,
  integrationMode,
  mailBooking,
  mutateBooking,
  type BookingDependencies,
} from "../bookings/dependencies";
import { publishRoomSchedules } from "../bookings/room-schedule";
import type { BookingStore, StoredBooking } from "../ports/booking-store";
import type { HoldClaims } from "../ports/hold-claims";
import type { RoomCalendarEvent, RoomCalendarSink, RoomSyncStateStore } from "../ports/room-calendars";
import type { RoomEventGateway, RoomEventIndex, RoomEventLink } from "../ports/room-events";
import { sendMail } from "../send-mail";

export interface BookingSinkDependencies {
  readonly bookings: BookingDependencies;
  readonly links: RoomEventIndex;
  /** Room calendars on the room's behalf (details with the extended property, decline). */
  readonly events: () => Promise<RoomEventGateway>;
  readonly holds: HoldClaims;
  readonly roomState: Pick<RoomSyncStateStore, "get" | "update">;
}

/**
 * Rules about who asked through ONES and how (the form, the terms, editing), which an Outlook booking
 * cannot be held to; every other rule is about the meeting and applies.
 */
const ASKER_RULES: ReadonlySet<Refusal["rule"]> = new Set<Refusal["rule"]>(["start-in-past", "who-may-book"]);
const FORM_RULES: ReadonlySet<Refusal["rule"]> = new Set<Refusal["rule"]>([
  "book-for-others",
  "terms-of-use",
]);
const EDIT_RULES: ReadonlySet<Refusal["rule"]> = new Set<Refusal["rule"]>(["edit-cutoff", "cancel-cutoff"]);
const appliesToOutlook = (rule: Refusal["rule"]): boolean =>
  rule !== "form-field" &&
  rule !== "multi-room" &&
  ![ASKER_RULES, FORM_RULES, EDIT_RULES].some((r) => r.has(rule));

/** The id of the ONES booking an Outlook-made series or single event of a room becomes. */
export function outlookBookingId(roomId: string, seriesKey: string): string {
  return `outlook-${createHash("sha256").update(`${roomId}\n${seriesKey}`).digest("hex").slice(0, 32)}`;
}

const SERIES = (masterId: string): string => `series:${masterId}`;
/** The reason of a booking whose last room event left Exchange. */
const CANCELLED_IN_OUTLOOK = "Cancelled in Outlook.";
const slotOf = (key: string, ev: RoomCalendarEvent): Slot => ({
  key,
  start: Date.parse(ev.start ?? ""),
  end: Date.parse(ev.end ?? ""),
});

/**
 * The booking store's side of room calendars: each event read from a room's calendar is matched to
 * its ONES booking (the link kept per room, then the extended property ONES stamps its events with,
 * then the iCalUId; never the subject), and the booking follows what Exchange holds: a moved
 * occurrence moves its slot, a removed or cancelled one frees it, an event nobody in ONES made becomes
 * an `outlook` booking (reserved with `force`: Exchange's truth is never refused). Every change is
 * idempotent and publishes the room's schedule, so duplicated, late or reordered reads converge.
 */
export function bookingSink(deps: BookingSinkDependencies): RoomCalendarSink {
  return {
    beginFullRead: (room) => deps.links.beginFullRead(room.id),
    async apply(room, batch) {
      // Links written by this batch carry the room's read generation as it is now, after the read:
      // a full read that began before this read listed an event never removes that event's link.
      const saved = new Map<string, number>();
      const d: BookingSinkDependencies = {
        ...deps,
        bookings: { ...deps.bookings, store: recording(deps.bookings.store, saved) },
        links: stamping(deps.links, room.id),
      };
      let upserted = 0;
      let removed = 0;
      const seen = new Set<string>();
      for (const ev of batch.events) {
        seen.add(ev.id);
        if (ev.type === "seriesMaster") continue;
        const gone = ev.removed || ev.isCancelled === true || ev.start === undefined || ev.end === undefined;
        // Graph answers `@removed` for an event deleted, but also for one moved out of the window.
        const changed = !gone
          ? await upsert(d, room, ev, batch.full)
          : ev.removed
            ? await releaseIfGone(d, room, ev.id)
            : await release(d, room, ev.id);
        if (changed && gone) removed++;
        else if (changed) upserted++;
      }
      if (batch.full) {
        // What ONES links in the window and Graph no longer lists is gone, unless a read newer than
        // this one recorded it (an event made while this read was under way).
        const window = batch.window;
        for (const link of await deps.links.ofRoom(room.id)) {
          if (link.eventId.startsWith("series:") || seen.has(link.eventId)) continue;
          if ((link.generation ?? 0) >= batch.since) continue;
          const at = Date.parse(link.key);
          if (window !== undefined && (at < window.start.getTime() || at >= window.end.getTime())) continue;
          if (await releaseIfGone(d, room, link.eventId, batch.since)) removed++;
        }
      }
      if (upserted + removed > 0) await publishRoomSchedules(deps.bookings, [room.id]);
      return { upserted, removed, saved };
    },
    async repair(room, read, readStartedAt, saved) {
      const suspects = await driftingBookings(deps, room, read);
      const linked = new Map((await deps.links.ofRoom(room.id)).map((l) => [l.eventId, l.bookingId]));
      let written = 0;
      for (const id of suspects) {
        const b = (await deps.bookings.store.get(id))?.booking;
        // A live booking changed since the read began may be mid-request: the next run sees it settled.
        // A change the reconcile's own batch made (the booking still at the version it saved) is not.
        if (
          b !== undefined &&
          !isFinal(b.state) &&
          Date.parse(b.updatedAt) >= readStartedAt.getTime() &&
          saved?.get(b.id) !== b.version
        )
          continue;
        // An Outlook twin of a ONES booking's meeting whose room copy a concurrent read linked to the
        // ONES booking: no later read links the copy to the twin again, so the twin is retired here.
        const twinOf =
          b?.source === "outlook" && !isFinal(b.state)
            ? await retireIfOnes(deps, room, b.id, b.calendar?.iCalUId)
            : undefined;
        if (twinOf === undefined && b !== undefined && (b.state === "confirmed" || b.source === "outlook"))
          await dropUnheld(deps, room, b, read, linked);
        await alignRoomSlots(deps.bookings, id, room.id);
        written++;
      }
      if (written > 0) {
        await publishRoomSchedules(deps.bookings, [room.id]);
        deps.bookings.log?.(`room ${room.id}: slots of ${written} booking(s) set as their bookings say`);
      }
      return written;
    },
  };
}

const timeOf = (start: number, end: number): string => `${start}|${end}`;

/**
 * A settled booking's slots in the read's window that no live event of its own holds (its room copy
 * left Exchange unseen: the removal was read before the event was linked) leave the booking, as a
 * removal read in time would have done: a booking left with no slot is cancelled.
 */
async function dropUnheld(
  deps: BookingSinkDependencies,
  room: Room,
  b: Booking,
  read: { readonly window: { start: Date; end: Date }; readonly events: readonly RoomCalendarEvent[] },
  linked: ReadonlyMap<string, string>,
): Promise<void> {
  const own = new Set(
    read.events
      .filter(
        (e) => !e.removed && e.isCancelled !== true && e.type !== "seriesMaster" && e.start !== undefined,
      )
      .filter(
        (e) => linked.get(e.id) === b.id || (e.iCalUId !== undefined && e.iCalUId === b.calendar?.iCalUId),
      )
      .map((e) => timeOf(Date.parse(e.start ?? ""), Date.parse(e.end ?? ""))),
  );
  const inWindow = (x: Slot): boolean =>
    x.end > read.window.start.getTime() && x.start < read.window.end.getTime();
  const unheld = (x: Slot): boolean => inWindow(x) && !own.has(timeOf(x.start, x.end));
  await mutateBooking(deps.bookings, b.id, (current) => {
    const slots = current.reserved[room.id] ?? [];
    const gone = slots.filter(unheld);
    if (gone.length === 0 || (current.state !== "confirmed" && current.source !== "outlook"))
      return undefined;
    const reserved = { ...current.reserved, [room.id]: slots.filter((x) => !unheld(x)) };
    const empty = Object.values(reserved).every((x) => x.length === 0);
    const ends = !isFinal(current.state) && empty && current.recurrence === undefined;
    return {
      ...current,
      ...(ends ? { state: "cancelled" as const, reason: CANCELLED_IN_OUTLOOK } : {}),
      exceptions: {
        ...current.exceptions,
        cancelled:
          current.recurrence === undefined
            ? current.exceptions.cancelled
            : [...new Set([...current.exceptions.cancelled, ...gone.map((x) => x.key)])],
      },
      reserved,
      version: current.version + 1,
      updatedAt: deps.bookings.now().toISOString(),
    };
  });
}

/**
 * The bookings behind the room's remaining drift: those holding a slot at a time no live event of the
 * read has, and those linked to a live event at a time ONES holds no slot (matched as multisets).
 */
async function driftingBookings(
  deps: BookingSinkDependencies,
  room: Room,
  read: { readonly window: { start: Date; end: Date }; readonly events: readonly RoomCalendarEvent[] },
): Promise<Set<string>> {
  const live = read.events.filter(
    (e) => !e.removed && e.isCancelled !== true && e.type !== "seriesMaster" && e.start !== undefined,
  );
  const slots = await deps.bookings.store.roomSlots(
    room.id,
    read.window.start.getTime(),
    read.window.end.getTime(),
  );
  // Per time, how many live events less ONES holds slots: at a time where the two counts differ, every
  // booking on either side is a suspect (which of two slots at one time is the stale one, the count
  // cannot say).
  const balance = new Map<string, number>();
  const eventTime = (e: RoomCalendarEvent): string =>
    timeOf(Date.parse(e.start ?? ""), Date.parse(e.end ?? ""));
  for (const e of live) balance.set(eventTime(e), (balance.get(eventTime(e)) ?? 0) + 1);
  for (const s of slots) balance.set(timeOf(s.start, s.end), (balance.get(timeOf(s.start, s.end)) ?? 0) - 1);
  const drifts = (t: string): boolean => (balance.get(t) ?? 0) !== 0;
  const suspects = new Set<string>();
  for (const s of slots) if (drifts(timeOf(s.start, s.end))) suspects.add(s.bookingId);
  for (const e of live) {
    if (!drifts(eventTime(e))) continue;
    const link = await deps.links.get(room.id, e.id);
    if (link !== undefined) suspects.add(link.bookingId);
  }
  return suspects;
}

/**
 * The room's links for one batch: every link written gets the room's read generation, read once, on
 * the first use (after the batch's read from Graph ended); `generation` answers that number.
 */
function stamping(links: RoomEventIndex, roomId: string): RoomEventIndex {
  let generation: Promise<number> | undefined;
  const stamp = (): Promise<number> => (generation ??= links.generation(roomId));
  return {
    get: (room, eventId) => links.get(room, eventId),
    remove: (room, eventId) => links.remove(room, eventId),
    ofRoom: (room) => links.ofRoom(room),
    beginFullRead: (room) => links.beginFullRead(room),
    generation: (room) => (room === roomId ? stamp() : links.generation(room)),
    async put(room, link) {
      await links.put(room, { ...link, generation: await stamp() });
    },
  };
}

/** The booking store, noting in `saved` the version each booking is saved at (by id). */
function recording(store: BookingStore, saved: Map<string, number>): BookingStore {
  const note = (stored: StoredBooking): StoredBooking => {
    saved.set(stored.booking.id, stored.booking.version);
    return stored;
  };
  return Object.assign(Object.create(store) as BookingStore, {
    create: async (booking: Booking) => note(await store.create(booking)),
    replace: async (booking: Booking, etag: string, previous?: Booking) =>
      note(await store.replace(booking, etag, previous)),
  });
}

/** The link's record of which version of the event the booking follows. */
const modified = (ev: { readonly lastModified?: string | undefined }): { modifiedAt?: string } =>
  ev.lastModified === undefined ? {} : { modifiedAt: ev.lastModified };

/**
 * An event Graph stopped listing (`@removed` in a delta, or absent from a full read): Graph lists a
 * meeting moved out of the read window the same way as a deleted one, so the room's calendar is asked
 * for the event itself. Gone, cancelled or declined: its slot is freed (`release`). Still there: the
 * booking follows it to where it is now, and keeps it. True when ONES changed.
 */
async function releaseIfGone(
  deps: BookingSinkDependencies,
  room: Room,
  eventId: string,
  before?: number,
): Promise<boolean> {
  const link = await deps.links.get(room.id, eventId);
  if (link === undefined) return false;
  if (before !== undefined && (link.generation ?? 0) >= before) return false;
  const now = await (await deps.events()).details(room.email, eventId);
  if (
    now?.start === undefined ||
    now.end === undefined ||
    now.isCancelled === true ||
    now.response === "declined"
  )
    return release(deps, room, eventId, before, link);
  const changed = await moveSlot(
    deps,
    room,
    { id: eventId, removed: false, start: now.start, end: now.end },
    link,
  );
  await deps.links.put(room.id, { ...link, ...modified(now) });
  return changed;
}

/**
 * Frees the slot of a removed or cancelled room event. True when ONES changed. With `before` (a full
 * read's generation), only a link written before that read began is released. `known`: the link, when
 * the caller has just read it.
 */
async function release(
  deps: BookingSinkDependencies,
  room: Room,
  eventId: string,
  before?: number,
  known?: RoomEventLink,
): Promise<boolean> {
  const link = known ?? (await deps.links.get(room.id, eventId));
  if (link === undefined) return false;
  if (before !== undefined && (link.generation ?? 0) >= before) return false;
  let changed = false;
  const current = (await deps.bookings.store.get(link.bookingId))?.booking;
  if (current !== undefined && replacedCopy(current, room, eventId)) {
    // The room's copy of a single Outlook meeting that Exchange replaced: the live copy holds the slot.
    await deps.links.remove(room.id, eventId);
    return false;
  }
  if (current !== undefined) {
    const key = slotKey(current, room.id, link);
    const single = current.recurrence === undefined && current.source === "outlook";
    await mutateBooking(deps.bookings, current.id, (b) => {
      const cancelled = b.exceptions.cancelled.includes(link.key)
        ? b.exceptions.cancelled
        : [...b.exceptions.cancelled, link.key];
      const reserved = {
        ...b.reserved,
        [room.id]: (b.reserved[room.id] ?? []).filter((s) => s.key !== key),
      };
      const empty = Object.values(reserved).every((s) => s.length === 0);
      // The last slot of a booking gone from Exchange: the booking is cancelled (kept as history).
      const state =
        !isFinal(b.state) && empty && (single || b.recurrence === undefined) ? "cancelled" : b.state;
      if (
        state === b.state &&
        cancelled === b.exceptions.cancelled &&
        reserved[room.id]?.length === b.reserved[room.id]?.length
      )
        return undefined;
      changed = true;
      return {
        ...b,
        state,
        ...(state === "cancelled" && b.state !== "cancelled" ? { reason: CANCELLED_IN_OUTLOOK } : {}),
        exceptions: { ...b.exceptions, cancelled },
        reserved,
        version: b.version + 1,
        updatedAt: deps.bookings.now().toISOString(),
      };
    });
    await alignRoomSlots(deps.bookings, current.id, room.id);
  }
  await deps.links.remove(room.id, eventId);
  return changed;
}

/**
 * Matches a room event to its booking (or makes one) and puts its slot where Exchange has it. A delta
 * read also moves a known link on to the room's read generation now, so that no full read begun
 * before this read takes it away (a full read lists what it keeps itself, and confirms with Graph
 * before it frees anything, so its own listing writes nothing). A full read also takes a second look
 * at an event linked to an Outlook booking that may be ONES's own (`rematch`).
 */
async function upsert(
  deps: BookingSinkDependencies,
  room: Room,
  ev: RoomCalendarEvent,
  full: boolean,
): Promise<boolean> {
  const known = await deps.links.get(room.id, ev.id);
  if (known !== undefined) {
    // A read that began earlier and ended later than another answers an older version: skipped.
    if (ev.lastModified !== undefined && known.modifiedAt !== undefined && ev.lastModified < known.modifiedAt)
      return false;
    const link = (full && (await rematch(deps, room, ev, known))) || known;
    const changed = await moveSlot(deps, room, ev, link);
    const stale = !full && (known.generation ?? 0) < (await deps.links.generation(room.id));
    if (stale || (ev.lastModified !== undefined && ev.lastModified !== known.modifiedAt))
      await deps.links.put(room.id, { ...link, ...modified(ev) });
    return changed;
  }
  const gateway = await deps.events();
  const details = await gateway.details(room.email, ev.id);
  if (details === undefined) return false; // gone since the read: the next read says so
  let booking: Booking | undefined;
  if (details.onesBookingId !== undefined)
    booking = (await deps.bookings.store.get(details.onesBookingId))?.booking;
  if (booking === undefined && ev.iCalUId !== undefined)
    booking = await deps.bookings.store.findByICalUId(ev.iCalUId);
  if (booking === undefined && ev.seriesMasterId !== undefined) {
    const series = await deps.links.get(room.id, SERIES(ev.seriesMasterId));
    if (series !== undefined) booking = (await deps.bookings.store.get(series.bookingId))?.booking;
  }
  if (booking !== undefined) {
    const key = keyFor(booking, room.id, ev);
    const link = { eventId: ev.id, bookingId: booking.id, key, ...modified(ev) };
    if (booking.source !== "outlook" && details.response === "declined") {
      await deps.links.put(room.id, link);
      return declinedByRoom(deps, booking);
    }
    if (ev.seriesMasterId === undefined) await followCopy(deps, room, booking, ev.id);
    const changed = await moveSlot(deps, room, ev, link);
    await deps.links.put(room.id, link);
    return changed;
  }
  return createOutlookBooking(deps, room, ev, details);
}

/**
 * A second look at an event linked to an Outlook booking (by a full read, and by the read that made
 * the booking once it is made): when the event's iCalUId is a ONES booking's (the room's copy was read before ONES's write had recorded the event it made, so the
 * sink took it for a meeting made in Outlook), the Outlook booking is retired (cancelled, its slots
 * freed) and the event is linked to the ONES booking. Answers the new link, or undefined.
 */
async function rematch(
  deps: BookingSinkDependencies,
  room: Room,
  ev: RoomCalendarEvent,
  link: RoomEventLink,
): Promise<RoomEventLink | undefined> {
  const linked = (await deps.bookings.store.get(link.bookingId))?.booking;
  if (linked?.source !== "outlook") return undefined;
  const ones = await retireIfOnes(deps, room, linked.id, ev.iCalUId);
  if (ones === undefined) return undefined;
  const relinked = { eventId: ev.id, bookingId: ones.id, key: keyFor(ones, room.id, ev) };
  await deps.links.put(room.id, relinked);
  if (ev.seriesMasterId !== undefined)
    await deps.links.put(room.id, {
      eventId: SERIES(ev.seriesMasterId),
      bookingId: ones.id,
      key: relinked.key,
    });
  return relinked;
}

/**
 * An Outlook booking whose meeting is a ONES booking's (the iCalUId is indexed to it) is retired:
 * cancelled, its slots freed. Answers the ONES booking, or undefined when the meeting is nobody
 * else's.
 */
async function retireIfOnes(
  deps: BookingSinkDependencies,
  room: Room,
  outlookId: string,
  iCalUId: string | undefined,
): Promise<Booking | undefined> {
  if (iCalUId === undefined) return undefined;
  const ones = await deps.bookings.store.findByICalUId(iCalUId);
  if (ones === undefined || ones.source === "outlook" || ones.id === outlookId) return undefined;
  await mutateBooking(deps.bookings, outlookId, (b) =>
    isFinal(b.state) || b.source !== "outlook"
      ? undefined
      : {
          ...b,
          state: "cancelled",
          reason: `The meeting is ONES booking ${ones.id}.`,
          reserved: {},
          version: b.version + 1,
          updatedAt: deps.bookings.now().toISOString(),
        },
  );
  await alignRoomSlots(deps.bookings, outlookId, room.id);
  deps.bookings.log?.(`room ${room.id}: outlook booking ${outlookId} is ONES booking ${ones.id}; retired`);
  return ones;
}

/**
 * Whether `eventId` is a room copy Exchange replaced of a single Outlook meeting: a room that declines
 * a move takes the meeting out of its calendar, and a later move to a free time makes a new copy (a
 * new id, the same iCalUId), which the booking follows from then on.
 */
const replacedCopy = (b: Booking, room: Room, eventId: string): boolean =>
  b.source === "outlook" &&
  b.recurrence === undefined &&
  b.calendar?.mailbox.toLowerCase() === room.email.toLowerCase() &&
  b.calendar.eventId !== undefined &&
  b.calendar.eventId !== eventId;

/** A single Outlook meeting's new room copy (found by its iCalUId) becomes the one its booking follows. */
async function followCopy(
  deps: BookingSinkDependencies,
  room: Room,
  b: Booking,
  eventId: string,
): Promise<void> {
  if (!replacedCopy(b, room, eventId)) return;
  await mutateBooking(deps.bookings, b.id, (current) =>
    current.calendar === undefined || !replacedCopy(current, room, eventId)
      ? undefined
      : {
          ...current,
          calendar: { ...current.calendar, eventId },
          version: current.version + 1,
          updatedAt: deps.bookings.now().toISOString(),
        },
  );
  deps.bookings.log?.(`outlook booking ${b.id}: the room's copy of its meeting was replaced; followed`);
}

/**
 * The key of a linked event's slot now. A single booking holds one slot per room, and a move through
 * ONES re-keys it by its new start, so a link made before the move carries an older key.
 */
function slotKey(b: Booking, roomId: string, link: RoomEventLink): string {
  if (b.recurrence !== undefined) return link.key;
  return b.reserved[roomId]?.[0]?.key ?? link.key;
}

/** The occurrence key of a room event within a booking. */
function keyFor(b: Booking, roomId: string, ev: RoomCalendarEvent): string {
  if (ev.originalStart !== undefined) return occurrenceKey(ev.originalStart);
  if (b.recurrence === undefined) return b.reserved[roomId]?.[0]?.key ?? new Date(b.start).toISOString();
  return occurrenceKey(ev.start ?? "");
}

async function moveSlot(
  deps: BookingSinkDependencies,
  room: Room,
  ev: RoomCalendarEvent,
  link: RoomEventLink,
): Promise<boolean> {
  let current = (await deps.bookings.store.get(link.bookingId))?.booking;
  if (current !== undefined && cancelledByExchange(current)) current = await reinstate(deps, current);
  if (current?.state === "cancelled") await cancelLiveEvent(deps, current);
  if (current?.state === "declined") await declineLiveCopy(deps, room, ev, current);
  if (current === undefined || isFinal(current.state)) return false;
  if (!holdsSlots(current.state, current.approval?.holdSlot ?? true)) return false;
  const key = slotKey(current, room.id, link);
  // ONES changed this booking's time and still owes Exchange the write: the event shows the time the
  // owed write replaces. Taking it back would undo the change, and force the booking over a time the
  // change gave up and someone may have booked since.
  if (current.source !== "outlook" && owesTime(current, key)) return false;
  const slot = slotOf(key, ev);
  const slots = current.reserved[room.id] ?? [];
  const same = slots.find((s) => s.key === slot.key);
  if (same !== undefined && same.start === slot.start && same.end === slot.end) return false;
  const saved = await mutateBooking(deps.bookings, current.id, (b) => {
    if (!holdsSlots(b.state, b.approval?.holdSlot ?? true)) return undefined;
    const next = [...(b.reserved[room.id] ?? []).filter((s) => s.key !== slot.key), slot].sort(
      (x, y) => x.start - y.start,
    );
    const moved = b.exceptions.moved.filter((m) => m.key !== slot.key);
    const isMoved =
      (b.recurrence !== undefined || ev.seriesMasterId !== undefined) && slot.start !== Date.parse(slot.key);
    const single = b.recurrence === undefined && b.roomIds.length === 1;
    return {
      ...b,
      ...(single ? { start: slot.start, end: slot.end } : {}),
      exceptions: { ...b.exceptions, moved: isMoved ? [...moved, slot] : moved },
      reserved: { ...b.reserved, [room.id]: next },
      version: b.version + 1,
      updatedAt: deps.bookings.now().toISOString(),
    };
  });
  await alignRoomSlots(deps.bookings, current.id, room.id);
  return saved !== undefined;
}

/** Whether a ONES booking still owes Exchange the time of occurrence `key` (or of the whole booking). */
const owesTime = (b: Booking, key: string): boolean =>
  b.calendarOwed === "write" || (b.occurrencesOwed ?? []).some((o) => o.key === key);

/** The slots a booking's document says it holds in a room: none once it ended or stopped holding. */
function heldIn(b: Booking | undefined, roomId: string): readonly Slot[] {
  if (b === undefined || !holdsSlots(b.state, b.approval?.holdSlot ?? true)) return [];
  return b.reserved[roomId] ?? [];
}

/**
 * Writes a booking's slots in a room's schedule as its document has them. The document changes first
 * (conditionally, so concurrent changes of one booking each build on the last), the room's schedule
 * after; a worker whose write may have overtaken a newer document writes again, until the document
 * read after its write is the one it wrote from. So concurrent reads of a room converge on the
 * document, and a worker that died between the two writes leaves drift the reconcile repairs with this.
 */
export async function alignRoomSlots(
  deps: Pick<BookingDependencies, "store">,
  bookingId: string,
  roomId: string,
): Promise<void> {
  let stored = await deps.store.get(bookingId);
  for (let round = 1; round <= 5; round++) {
    await deps.store.reserve(bookingId, [{ roomId, slots: heldIn(stored?.booking, roomId) }], {
      force: true,
    });
    const after = await deps.store.get(bookingId);
    if (after?.etag === stored?.etag) return;
    stored = after;
  }
}

/** An Outlook booking ONES cancelled only because its room event had left Exchange. */
const cancelledByExchange = (b: Booking): boolean =>
  b.source === "outlook" && b.state === "cancelled" && b.reason === CANCELLED_IN_OUTLOOK;

/**
 * A room event of an Outlook booking ONES took as gone is live again (the room declined a move that
 * clashed, then accepted the meeting's next time; or a read saw it late): Exchange's truth wins, the
 * booking stands again and takes its slot from the event.
 */
async function reinstate(deps: BookingSinkDependencies, b: Booking): Promise<Booking | undefined> {
  const saved = await mutateBooking(deps.bookings, b.id, (current) => {
    if (!cancelledByExchange(current)) return undefined;
    const { reason: _gone, ...rest } = current;
    return {
      ...rest,
      state: "confirmed",
      version: current.version + 1,
      updatedAt: deps.bookings.now().toISOString(),
    };
  });
  deps.bookings.log?.(`outlook booking ${b.id}: its room event is live again; booking reinstated`);
  return saved?.booking;
}

/**
 * A live room event of a booking ONES cancelled (its calendar cancel lost a race or a worker): the
 * cancel is owed again and queued, so the consumer cancels the organizer's event and the room frees.
 * Only in the application modes, where ONES writes the organizer's event with its own permission, and
 * only for bookings ONES wrote (a booking cancelled in Outlook has no live event of its own). The
 * version moves on so the command is a new message; a repeated sight queues a cancel that finds
 * nothing left to cancel.
 */
async function cancelLiveEvent(deps: BookingSinkDependencies, b: Booking): Promise<void> {
  if (b.source === "outlook" || b.calendar === undefined) return;
  const mode = await integrationMode(deps.bookings);
  if (mode !== "application" && mode !== "application-resource-only") return;
  const saved = await mutateBooking(deps.bookings, b.id, (current) =>
    current.state !== "cancelled"
      ? undefined
      : {
          ...current,
          calendarOwed: "cancel",
          version: current.version + 1,
          updatedAt: deps.bookings.now().toISOString(),
        },
  );
  if (saved?.booking.state !== "cancelled") return;
  await enqueueCommand(deps.bookings, {
    command: "cancel",
    bookingId: b.id,
    version: saved.booking.version,
  });
  deps.bookings.log?.(`booking ${b.id} cancelled but its room event is live: cancel queued again`);
}

/**
 * A live room event of a ONES booking the room declined (a later write of its event found the room
 * free and the room took it again): ONES told the organizer the room declined, so in the application
 * modes the room's copy is declined on the room's behalf, and the room frees in Exchange too.
 */
async function declineLiveCopy(
  deps: BookingSinkDependencies,
  room: Room,
  ev: RoomCalendarEvent,
  b: Booking,
): Promise<void> {
  if (b.source === "outlook") return;
  const mode = await integrationMode(deps.bookings);
  if (mode !== "application" && mode !== "application-resource-only") return;
  await (await deps.events()).decline(room.email, ev.id, "Declined by ONES: the room declined this booking.");
  deps.bookings.log?.(`booking ${b.id} declined but its room event is live: the room's copy declined`);
}

/** A ONES booking the room's copy shows declined: declined, slots freed, the organizer mailed once. */
async function declinedByRoom(deps: BookingSinkDependencies, b: Booking): Promise<boolean> {
  if (isFinal(b.state)) return false;
  await endBooking(
    deps.bookings,
    { ...b, roomResponses: Object.fromEntries(b.roomIds.map((r) => [r, "declined" as const])) },
    "declined",
    "The room declined the invitation.",
    { kind: "room-declined" },
  );
  return true;
}

const outlookRequester = (email: string): Principal => ({
  userId: "",
  tenantId: "",
  objectId: "",
  email,
  name: "",
  roles: [],
  groups: [],
  isAdmin: false,
});

/**
 * An event nobody in ONES made (booked in Outlook, or straight on the room's calendar): it becomes an
 * `outlook` booking of this room, one per series. The room's policy is applied on first sight (an add-in
 * hold that covers the meeting brings its own context): in the application modes a breaking booking is
 * declined on the room's behalf with the rule named; where ONES may not decline, it is kept and
 * flagged for the admins.
 */
async function createOutlookBooking(
  deps: BookingSinkDependencies,
  room: Room,
  ev: RoomCalendarEvent,
  details: NonNullable<Awaited<ReturnType<RoomEventGateway["details"]>>>,
): Promise<boolean> {
  const seriesKey = ev.seriesMasterId ?? ev.id;
  const key = occurrenceKey(ev.originalStart ?? ev.start ?? "");
  const slot = slotOf(key, ev);
  const known = async (bookingId: string): Promise<boolean | undefined> => {
    if ((await deps.bookings.store.get(bookingId)) === undefined) return undefined;
    // Another occurrence of a series ONES knows (or a retry after a crash).
    const link = { eventId: ev.id, bookingId, key, ...modified(ev) };
    const changed = await moveSlot(deps, room, ev, link);
    await deps.links.put(room.id, link);
    return changed;
  };
  const unclaimed = await known(outlookBookingId(room.id, seriesKey));
  if (unclaimed !== undefined) return unclaimed;
  const organizerEmail = (ev.organizerEmail ?? room.email).toLowerCase();
  // An add-in hold covering the meeting: the booking takes the hold's reservation id (the slot is
  // already held under it), its policy result and its approval. Claiming answers alike for the same
  // event, so a second notification or a retry finds the same booking.
  const claim = await deps.holds.claim({
    roomId: room.id,
    organizerEmail,
    start: slot.start,
    end: slot.end,
    ...(ev.iCalUId === undefined ? {} : { iCalUId: ev.iCalUId }),
  });
  const id = claim?.bookingId ?? outlookBookingId(room.id, seriesKey);
  if (claim?.bookingId !== undefined) {
    const claimedBefore = await known(id);
    if (claimedBefore !== undefined) return claimedBefore;
  }
  const link = { eventId: ev.id, bookingId: id, key, ...modified(ev) };
  const organizer = {
    email: organizerEmail,
    ...(details.organizerName === undefined ? {} : { name: details.organizerName }),
  };
  const recurrence =
    ev.seriesMasterId === undefined
      ? details.recurrence
      : (await (await deps.events()).details(room.email, ev.seriesMasterId))?.recurrence;
  // The hold was checked for one timed meeting: a series or an all-day event is checked afresh.
  const holdChecked =
    claim?.policyChecked === true && ev.seriesMasterId === undefined && details.isAllDay !== true;
  let refusal: Refusal | undefined;
  let approval: Booking["approval"] = holdChecked ? claim.approval : undefined;
  if (!holdChecked) {
    const { policies, refusals } = await checkPolicies(deps.bookings, [room], {
      occurrences: [slot],
      recurring: ev.seriesMasterId !== undefined,
      isAllDay: details.isAllDay ?? false,
      requester: outlookRequester(organizerEmail),
      organizer,
      onBehalf: false,
      termsAccepted: true,
      fields: {},
      except: id,
    });
    refusal = refusals.find((r) => appliesToOutlook(r.rule));
    const policy = policies[0];
    if (approval === undefined && policy?.approval.required === true)
      approval = { holdSlot: policy.approval.holdSlot, approvers: policy.approval.approvers };
  }
  const mode = await integrationMode(deps.bookings);
  const mayDecline = mode === "application" || mode === "application-resource-only";
  const declining = refusal !== undefined && mayDecline;
  const holdSlot = !declining && (approval === undefined || approval.holdSlot);
  const now = deps.bookings.now().toISOString();
  const booking: Booking = {
    id,
    roomIds: [room.id],
    start: slot.start,
    end: slot.end,
    timeZone: details.timeZone ?? room.timeZone,
    subject: details.subject ?? "",
    attendees: [],
    isOnlineMeeting: false,
    isAllDay: details.isAllDay ?? false,
    ...(recurrence === undefined ? {} : { recurrence }),
    exceptions: { cancelled: [], moved: [] },
    organizer,
    bookedBy: organizer,
    source: "outlook",
    state: declining ? "declined" : approval !== undefined ? "awaiting-approval" : "confirmed",
    fields: claim?.fields ?? {},
    termsAccepted: claim?.termsAccepted ?? true,
    ...(approval === undefined ? {} : { approval }),
    ...(ev.iCalUId === undefined
      ? {}
      : {
          calendar: {
            mailbox: room.email,
            actor: "app",
            eventId: ev.seriesMasterId ?? ev.id,
            iCalUId: ev.iCalUId,
          },
        }),
    roomResponses: { [room.id]: declining ? "declined" : "accepted" },
    ...(refusal === undefined ? {} : { reason: `${refusal.rule}: ${refusal.detail}` }),
    reserved: holdSlot ? { [room.id]: [slot] } : {},
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.bookings.store.create(booking);
  } catch (error) {
    // A concurrent read of the same room made it first: treat it as known.
    if ((await deps.bookings.store.get(id)) === undefined) throw error;
    const changed = await moveSlot(deps, room, ev, link);
    await deps.links.put(room.id, link);
    return changed;
  }
  // A claimed hold's reservation is the booking's: it moves with the meeting, or goes when the booking
  // does not hold the slot (declined, or awaiting an approval that does not keep it).
  if (holdSlot || claim?.bookingId !== undefined)
    await deps.bookings.store.reserve(id, [{ roomId: room.id, slots: holdSlot ? [slot] : [] }], {
      force: true,
    });
  if (ev.seriesMasterId !== undefined)
    await deps.links.put(room.id, { eventId: SERIES(ev.seriesMasterId), bookingId: id, key });
  await deps.links.put(room.id, link);
  if (booking.calendar?.iCalUId !== undefined) {
    // Indexes the iCalUId (the store does so on replace).
    await mutateBooking(deps.bookings, id, (b) => ({ ...b }));
  }
  // ONES may have recorded the event it wrote while this booking was being made: its twin goes now.
  if (await rematch(deps, room, ev, link)) return true;
  if (refusal !== undefined) await applyRefusal(deps, room, ev, booking, refusal, mayDecline);
  if (approval !== undefined && !declining) await requestApproval(deps, room, booking);
  deps.bookings.log?.(
    `room ${room.id}: outlook booking ${id} ${booking.state}${claim === undefined ? "" : ` from hold ${claim.holdId}`}`,
  );
  return true;
}

/** Declines on the room's behalf and mails the organizer the rule, or flags the booking for the admins. */
async function applyRefusal(
  deps: BookingSinkDependencies,
  room: Room,
  ev: RoomCalendarEvent,
  booking: Booking,
  refusal: Refusal,
  mayDecline: boolean,
): Promise<void> {
  if (mayDecline) {
    const target =
      refusal.rule === "recurring" && ev.seriesMasterId !== undefined ? ev.seriesMasterId : ev.id;
    await (
      await deps.events()
    ).decline(
      room.email,
      target,
      `Declined by ONES: this booking breaks the room's rule "${refusal.rule}" (${refusal.detail})`,
    );
    await sendMail(deps.bookings, {
      key: `booking-declined:${booking.id}`,
      to: [{ email: booking.organizer.email }],
      template: {
        kind: "booking-declined",
        booking: mailBooking(booking, room),
        reason: { kind: "policy", rule: `${refusal.rule}: ${refusal.detail}`.slice(0, 512) },
      },
    });
    return;
  }
  const state = await deps.roomState.get(room.id);
  await deps.roomState.update(room.id, {
    policyFlags: (state?.policyFlags ?? 0) + 1,
    lastPolicyFlag: { bookingId: booking.id, rule: refusal.rule, at: deps.bookings.now().toISOString() },
  });
  // The admins hear of it once per booking (the mail key is the booking's).
  const admins = [...new Set((await deps.bookings.integration.get())?.adminEmails ?? [])];
  if (admins.length > 0)
    await sendMail(deps.bookings, {
      key: `booking-flagged:${booking.id}`,
      to: admins.map((email) => ({ email })),
      template: {
        kind: "booking-flagged",
        booking: mailBooking(booking, room),
        rule: `${refusal.rule}: ${refusal.detail}`.slice(0, 512),
      },
    });
}

async function requestApproval(deps: BookingSinkDependencies, room: Room, booking: Booking): Promise<void> {
  await enqueueCommand(
    deps.bookings,
    { command: "expire", bookingId: booking.id, version: booking.version },
    new Date(booking.start),
  );
  await sendMail(deps.bookings, {
    key: `approval-requested:${booking.id}`,
    to: booking.approval?.approvers ?? [],
    template: {
      kind: "approval-requested",
      booking: mailBooking(booking, room),
      requesterName: booking.organizer.name ?? booking.organizer.email,
    },
  });
}

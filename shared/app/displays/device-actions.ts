import { timingSafeEqual } from "node:crypto";
import type { Booking, CalendarLink, Presence } from "../../domain/bookings/booking";
import { policyRefused } from "../../domain/bookings/evaluate";
import { oweOccurrence, owedEntry, settleOccurrence } from "../../domain/bookings/owed-occurrences";
import type { BookingPolicy } from "../../domain/bookings/policy";
import type { Slot } from "../../domain/bookings/slots";
import {
  checkInWindow,
  deviceBoundRules,
  endedEarlyAt,
  walkInSlot,
  type DeviceAction,
} from "../../domain/displays/actions";
import { AppError, isAppError } from "../../domain/errors";
import { requireCapability, type Capability } from "../../domain/integration/capabilities";
import type { IntegrationMode } from "../../domain/integration/modes";
import type { Room } from "../../domain/rooms/room";
import type { BookingCommand } from "../../domain/bookings/commands";
import { checkPolicies } from "../bookings/create-booking";
import {
  enqueueCommand,
  integrationMode,
  mutateBooking,
  type BookingDependencies,
} from "../bookings/dependencies";
import { deviceRules, publishRoomSchedules } from "../bookings/room-schedule";
import type { CalendarActor } from "../ports/calendar-gateway";
import { authenticateDisplay, type DisplayDependencies } from "./displays";

/** What a display asks for. `itemId` is a snapshot item's id (`{bookingId}|{occurrence key}`). */
export type DeviceActionInput =
  | { readonly action: "check-in"; readonly itemId: string; readonly pin?: string }
  | { readonly action: "extend"; readonly itemId: string; readonly minutes: number }
  | { readonly action: "end"; readonly itemId: string }
  | { readonly action: "book-now"; readonly minutes: number; readonly subject?: string };

export interface DeviceActionResult {
  readonly action: DeviceAction;
  readonly roomId: string;
  readonly bookingId: string;
  /** ISO 8601 instants of the occurrence after the action. */
  readonly start: string;
  readonly end: string;
  readonly checkedIn: boolean;
}

export interface DeviceActionDependencies {
  readonly displays: Pick<DisplayDependencies, "displays" | "hash" | "now">;
  readonly bookings: BookingDependencies;
  /**
   * Delegated modes: ONES user ids with a working token, the candidates to write a walk-in into a room's
   * own calendar (only those with write rights on that calendar succeed; Graph refuses the others).
   */
  readonly roomWriters: () => Promise<readonly string[]>;
}

const CAPABILITY: Record<DeviceAction, Capability> = {
  "check-in": "check-in-on-device",
  extend: "extend-on-device",
  end: "end-on-device",
  "book-now": "walk-in-on-device",
};

const MINUTE = 60_000;

/**
 * How long after a display's change (or an auto-release) is saved owing its calendar write its follow-up
 * command runs: long enough for the request to have written Microsoft 365 itself in the usual case
 * (the follow-up then finds nothing owed), short enough that a host dying in between delays the
 * calendar by about half a minute, not the recovery sweep's quarter of an hour.
 */
export const FOLLOW_UP_MS = 30_000;

/** How long an action waits for its follow-up to be queued before it writes Graph all the same. */
const FOLLOW_UP_WAIT_MS = 3_000;

/**
 * Schedules the follow-up of a change saved owing its calendar write: a `booking-commands` message
 * delivered FOLLOW_UP_MS later, which completes the write if it is still owed and does nothing otherwise
 * (the consumer acts on the booking as it is then). Queued after the save and before Graph is called.
 * Best effort: a follow-up the queue refuses is logged, and the recovery sweep remains; one the queue
 * has not taken within FOLLOW_UP_WAIT_MS (Service Bus slow or down, its client retrying) is left to
 * finish on its own, so a display is not kept waiting by the queue.
 */
export async function followUp(
  deps: Pick<BookingDependencies, "workQueue" | "now" | "log">,
  command: BookingCommand,
): Promise<void> {
  const about = `booking ${command.bookingId}: follow-up ${command.command}`;
  const queued = enqueueCommand(deps, command, new Date(deps.now().getTime() + FOLLOW_UP_MS)).then(
    () => true,
    (error: unknown) => {
      deps.log?.(`${about} not queued (${isAppError(error) ? error.code : "unexpected"})`);
      return true;
    },
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), FOLLOW_UP_WAIT_MS);
  });
  if (!(await Promise.race([queued, waited]))) deps.log?.(`${about} not queued yet; the action goes on`);
  clearTimeout(timer);
}

const emptyPresence: Presence = { checkedIn: [], extended: [], released: [] };
const hhmm = (ms: number, zone: string): string =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(ms);

/**
 * POST /api/displays/actions/{action}: a room display checks in, extends, ends or books its own room on
 * the spot. The device credential decides the room; a meeting of any other room is refused. Every change
 * goes through the booking engine's reservation (ONES's own conflict check), then the stored booking
 * saved owing its calendar write (the booking outbox), then Graph, then the mark cleared, so a host
 * dying in between leaves the write to the recovery sweep; it publishes the room's snapshot to its room
 * and floor displays.
 */
export async function deviceAction(
  deps: DeviceActionDependencies,
  credential: string,
  input: DeviceActionInput,
): Promise<DeviceActionResult> {
  const display = await authenticateDisplay(deps.displays as DisplayDependencies, credential);
  if (display.target.kind !== "room")
    throw new AppError("forbidden", "A floor display shows rooms; actions are made on a room's display.");
  const b = deps.bookings;
  const mode = await integrationMode(b);
  requireCapability(mode, CAPABILITY[input.action]);
  const room = await b.rooms.room(display.target.roomId);
  if (room === undefined || !room.active) throw new AppError("not-found", "The display's room is gone.");
  const policy = await b.policies.forRoom(room.id);
  const result =
    input.action === "book-now"
      ? await bookNow(b, deps.roomWriters, mode, room, input.minutes, input.subject)
      : await onOccurrence(b, room, policy, input);
  await publishRoomSchedules(b, result.roomIds);
  const { roomIds: _r, ...rest } = result;
  return { action: input.action, ...rest };
}

type Outcome = Omit<DeviceActionResult, "action"> & { readonly roomIds: readonly string[] };

/** The booking and occurrence a snapshot item names, refused unless it holds this display's room. */
async function occurrenceOf(
  deps: BookingDependencies,
  room: Room,
  itemId: string,
): Promise<{ booking: Booking; slot: Slot }> {
  const [bookingId = "", key = ""] = itemId.split("|");
  const stored = await deps.store.get(bookingId);
  if (stored === undefined || !stored.booking.roomIds.includes(room.id))
    throw new AppError("forbidden", "This display acts only for meetings in its own room.");
  const slot = stored.booking.reserved[room.id]?.find((s) => s.key === key);
  if (slot === undefined) throw new AppError("conflict", "That meeting no longer holds the room.");
  // Released (its calendar write may still be under way): the room is given back, whatever comes now.
  if ((stored.booking.releasesOwed ?? []).some((o) => o.roomId === room.id && o.key === key))
    throw new AppError("conflict", "Nobody checked in, so the room was released.");
  return { booking: stored.booking, slot };
}

async function onOccurrence(
  deps: BookingDependencies,
  room: Room,
  policy: BookingPolicy,
  input: Exclude<DeviceActionInput, { action: "book-now" }>,
): Promise<Outcome> {
  const { booking, slot } = await occurrenceOf(deps, room, input.itemId);
  const now = deps.now().getTime();
  const presence = booking.presence ?? emptyPresence;
  const checkedIn = presence.checkedIn.includes(slot.key);
  const outcome = (s: Slot, c: boolean): Outcome => ({
    roomId: room.id,
    roomIds: booking.roomIds,
    bookingId: booking.id,
    start: new Date(s.start).toISOString(),
    end: new Date(s.end).toISOString(),
    checkedIn: c,
  });
  if (input.action === "check-in") {
    if (checkedIn) return outcome(slot, true);
    const window = checkInWindow(deviceRules(policy), slot);
    if (now < window.opens || now >= window.closes)
      throw new AppError(
        "conflict",
        `Check-in is open from ${hhmm(window.opens, room.timeZone)} to ${hhmm(window.closes, room.timeZone)}.`,
      );
    requirePin(policy, input.pin);
    await mutateBooking(deps, booking.id, (current) => withPresence(deps, current, "checkedIn", slot.key));
    return outcome(slot, true);
  }
  if (now < slot.start || now >= slot.end)
    throw new AppError("conflict", "Only the meeting in progress can be extended or ended.");
  const end = input.action === "extend" ? slot.end + input.minutes * MINUTE : endedEarlyAt(slot, now);
  const moved: Slot = { key: slot.key, start: slot.start, end };
  if (input.action === "extend") refuseByPolicy(await deviceRefusals(deps, room, moved, booking.organizer));
  await changeOccurrence(deps, booking, moved, input.action === "extend");
  return outcome(moved, checkedIn);
}

function requirePin(policy: BookingPolicy, pin: string | undefined): void {
  const expected = policy.checkIn.pin;
  if (expected === null) return;
  const given = Buffer.from(pin ?? "", "utf8");
  const want = Buffer.from(expected, "utf8");
  if (given.length !== want.length || !timingSafeEqual(given, want))
    throw new AppError("forbidden", "The booking PIN is not right.", { extensions: { reason: "pin" } });
}

function withPresence(
  deps: Pick<BookingDependencies, "now">,
  b: Booking,
  kind: keyof Presence,
  key: string,
): Booking | undefined {
  const presence = b.presence ?? emptyPresence;
  if (presence[kind].includes(key)) return undefined;
  return {
    ...b,
    presence: { ...presence, [kind]: [...presence[kind], key] },
    version: b.version + 1,
    updatedAt: deps.now().toISOString(),
  };
}

/** Policy refusals that bind a display (a person's rules, like who may book, do not). */
async function deviceRefusals(
  deps: BookingDependencies,
  room: Room,
  slot: Slot,
  organizer: Booking["organizer"],
): Promise<ReturnType<typeof policyRefused> | undefined> {
  const { refusals } = await checkPolicies(deps, [room], {
    occurrences: [slot],
    recurring: false,
    isAllDay: false,
    requester: {
      userId: "",
      tenantId: "",
      objectId: "",
      email: organizer.email,
      name: "",
      roles: [],
      groups: [],
      isAdmin: false,
    },
    organizer,
    onBehalf: false,
    termsAccepted: true,
    fields: {},
  });
  const binding = refusals.filter((r) => deviceBoundRules.has(r.rule));
  return binding.length === 0 ? undefined : policyRefused(binding);
}

function refuseByPolicy(refusal: AppError | undefined): void {
  if (refusal !== undefined) throw refusal;
}

/**
 * Whose token changes the booking's event: in the delegated modes the user who wrote it (a walk-in's
 * writer) or else its organizer; the app's in the application modes.
 */
export function actorOf(b: Booking): CalendarActor {
  const userId = b.calendar?.writerId ?? b.organizer.userId;
  return b.calendar?.actor === "user" && userId !== undefined ? { kind: "user", userId } : { kind: "app" };
}

/**
 * Moves one occurrence's end in every room of the booking (an extension also marks it extended), with
 * the booking outbox: the reservation first (an extension only into free time: a taken slot is a 409
 * naming it), then the booking saved with the new time and what Microsoft 365 is owed for it in the
 * same write (`calendarOwed: "write"` for a single meeting, an `occurrencesOwed` entry for one
 * occurrence of a series), then the calendar event, then the mark cleared. A request that dies after
 * the save leaves the mark, and the recovery sweep completes the write; so the displays and ONES show
 * the change at once and the calendar follows even then. When Graph refuses, the booking and the
 * reservation are put back and the error stands.
 */
async function changeOccurrence(
  deps: BookingDependencies,
  b: Booking,
  moved: Slot,
  extended: boolean,
): Promise<void> {
  const reservation = (slots: (s: Slot) => Slot) =>
    b.roomIds.map((roomId) => ({
      roomId,
      slots: (b.reserved[roomId] ?? []).map((s) => (s.key === moved.key ? slots(s) : s)),
    }));
  await deps.store.reserve(
    b.id,
    reservation(() => moved),
  );
  const eventId = b.calendar?.eventId;
  let saved: Booking | undefined;
  try {
    saved = (
      await mutateBooking(deps, b.id, (current) => {
        const version = current.version + 1;
        const changed = withMovedSlot(current, moved, extended);
        const owed =
          eventId === undefined
            ? changed
            : current.recurrence === undefined
              ? { ...changed, calendarOwed: "write" as const }
              : oweOccurrence(changed, moved.key, version);
        return { ...owed, version, updatedAt: deps.now().toISOString() };
      })
    )?.booking;
    if (saved === undefined) throw new AppError("conflict", "That meeting no longer holds the room.");
  } catch (error) {
    await deps.store.reserve(
      b.id,
      reservation((s) => s),
      { force: true },
    );
    throw error;
  }
  if (b.calendar === undefined || eventId === undefined) {
    deps.log?.(`booking ${b.id}: no calendar event linked yet; the display change is kept in ONES`);
    return;
  }
  const written = saved;
  await followUp(
    deps,
    b.recurrence === undefined
      ? { command: "write", bookingId: b.id, version: written.version }
      : { command: "move-occurrence", bookingId: b.id, version: written.version, occurrence: moved.key },
  );
  try {
    const gateway = await deps.calendar();
    if (b.recurrence === undefined)
      await gateway.update(actorOf(b), b.calendar.mailbox, eventId, { start: moved.start, end: moved.end });
    else await gateway.moveOccurrence(actorOf(b), b.calendar.mailbox, eventId, Date.parse(moved.key), moved);
  } catch (error) {
    // A request slower than its follow-up may fail after the follow-up wrote the change: what the
    // calendar took stands.
    const now = (await deps.store.get(b.id))?.booking;
    if (now !== undefined && writtenMeanwhile(now, written, moved.key)) {
      deps.log?.(`booking ${b.id}: calendar write failed after its follow-up made it; the change stands`);
      return;
    }
    // The reservation is put back first, checked: the time an early end gave up may have been booked
    // meanwhile (a walk-in), and forcing it back would double-book the room. Then the change stands,
    // owed to the calendar (the recovery sweep writes it), and the display is answered as done.
    try {
      await deps.store.reserve(
        b.id,
        reservation((s) => s),
      );
    } catch (taken) {
      if (!isAppError(taken) || taken.code !== "conflict") throw taken;
      deps.log?.(
        `booking ${b.id}: calendar write failed and the time given up is taken; the change stands, owed`,
      );
      return;
    }
    // Then the booking, so no write stays owed.
    await mutateBooking(deps, b.id, (current) =>
      current.version !== written.version
        ? undefined
        : {
            ...withoutOwed(current),
            ...owedOf(b),
            start: b.start,
            end: b.end,
            exceptions: b.exceptions,
            reserved: b.reserved,
            presence: b.presence ?? emptyPresence,
            version: current.version + 1,
            updatedAt: deps.now().toISOString(),
          },
    );
    throw error;
  }
  await mutateBooking(deps, b.id, (current) => {
    const settled = settleDisplayWrite(current, written, b, moved.key);
    return settled === current ? undefined : { ...settled, updatedAt: deps.now().toISOString() };
  });
}

/** Whether the write `written` owed for occurrence `key` was completed by someone else (the follow-up). */
function writtenMeanwhile(current: Booking, written: Booking, key: string): boolean {
  if (written.recurrence !== undefined)
    return owedEntry(written, key) !== undefined && owedEntry(current, key) === undefined;
  return (
    written.calendarOwed === "write" &&
    current.version === written.version &&
    current.calendarOwed === undefined
  );
}

/** The booking with occurrence `moved` at its new time (and marked extended). */
function withMovedSlot(current: Booking, moved: Slot, extended: boolean): Booking {
  const presence = current.presence ?? emptyPresence;
  return {
    ...current,
    ...(current.recurrence === undefined
      ? { start: moved.start, end: moved.end }
      : {
          exceptions: {
            ...current.exceptions,
            moved: [
              ...current.exceptions.moved.filter((m) => m.key !== moved.key),
              { key: moved.key, start: moved.start, end: moved.end },
            ],
          },
        }),
    reserved: Object.fromEntries(
      Object.entries(current.reserved).map(([roomId, slots]) => [
        roomId,
        slots.map((s) => (s.key === moved.key ? moved : s)),
      ]),
    ),
    ...(extended && !presence.extended.includes(moved.key)
      ? { presence: { ...presence, extended: [...presence.extended, moved.key] } }
      : {}),
  };
}

/**
 * The booking no longer owing the write `written` made for occurrence `key` (the same booking when
 * something else is still owed): a single meeting's mark goes only while the version is still the one
 * written and if the booking (`before`) owed no write of its own already (an edit still to be written
 * in full); a series' entry only while it is still the one saved.
 */
function settleDisplayWrite(current: Booking, written: Booking, before: Booking, key: string): Booking {
  if (written.recurrence !== undefined) {
    const entry = owedEntry(written, key);
    return (entry === undefined ? undefined : settleOccurrence(current, entry)) ?? current;
  }
  if (before.calendarOwed === "write" || current.version !== written.version) return current;
  return current.calendarOwed === "write" ? withoutOwed(current) : current;
}

/** The booking owing Microsoft 365 nothing (its owed marks dropped, to be put back from another). */
function withoutOwed(b: Booking): Booking {
  const { calendarOwed: _write, occurrencesOwed: _occurrences, ...rest } = b;
  return rest;
}

/** What `b` owes Microsoft 365, as fields to spread over a booking. */
const owedOf = (b: Booking): Pick<Booking, "calendarOwed" | "occurrencesOwed"> => ({
  ...(b.calendarOwed === undefined ? {} : { calendarOwed: b.calendarOwed }),
  ...(b.occurrencesOwed === undefined ? {} : { occurrencesOwed: b.occurrencesOwed }),
});

/**
 * A walk-in from now for `minutes`, cut at the next meeting. ONES checks the room itself (the
 * reservation), then writes the event in the room's own calendar, the room being the organizer: with the
 * app's permission in the application modes, with the token of a signed-in user who may write that
 * calendar (a delegate, `Calendars.ReadWrite.Shared`) in the delegated modes. The booking is stored
 * checked in (people are in the room), so it is never released, and owing its event (`calendarOwed`,
 * naming the writer tried) until the event is linked. When no signed-in user may write the room's
 * calendar, the walk-in is held in ONES and shown on the displays only (and logged).
 */
async function bookNow(
  deps: BookingDependencies,
  roomWriters: DeviceActionDependencies["roomWriters"],
  mode: IntegrationMode,
  room: Room,
  minutes: number,
  subject: string | undefined,
): Promise<Outcome> {
  const now = deps.now().getTime();
  const minute = Math.floor(now / MINUTE) * MINUTE;
  const walkIn = walkInSlot(
    await deps.store.roomSlots(room.id, minute, minute + minutes * MINUTE),
    now,
    minutes,
  );
  if (!walkIn.ok)
    throw new AppError(
      "conflict",
      walkIn.reason === "in-use"
        ? `The room is in use until ${hhmm(walkIn.until, room.timeZone)}.`
        : `The next meeting starts at ${hhmm(walkIn.next, room.timeZone)}; there is no time for a walk-in.`,
    );
  const slot: Slot = { key: new Date(walkIn.start).toISOString(), start: walkIn.start, end: walkIn.end };
  const organizer = { email: room.email.toLowerCase(), name: room.displayName };
  refuseByPolicy(await deviceRefusals(deps, room, slot, organizer));
  const asApp = mode === "application" || mode === "application-resource-only";
  const writers = asApp ? [] : (await roomWriters()).slice(0, MAX_WRITERS_TRIED);
  const firstWriter = writers[0];
  const stamp = deps.now().toISOString();
  const booking: Booking = {
    id: deps.newId(),
    roomIds: [room.id],
    start: slot.start,
    end: slot.end,
    timeZone: room.timeZone,
    subject: subject ?? "Walk-in",
    attendees: [],
    isOnlineMeeting: false,
    isAllDay: false,
    exceptions: { cancelled: [], moved: [] },
    organizer,
    bookedBy: organizer,
    source: "device",
    state: "confirmed",
    fields: {},
    termsAccepted: true,
    // Saved owing its event (the outbox): a request that dies before writing it leaves the mark, and
    // the recovery sweep writes it (with the app's permission, or the token of the writer named).
    ...(asApp
      ? { calendar: { mailbox: room.email, actor: "app" as const }, calendarOwed: "write" as const }
      : firstWriter === undefined
        ? {}
        : {
            calendar: { mailbox: room.email, actor: "user" as const, writerId: firstWriter },
            calendarOwed: "write" as const,
          }),
    roomResponses: { [room.id]: "accepted" },
    reserved: { [room.id]: [slot] },
    presence: { checkedIn: [slot.key], extended: [], released: [] },
    version: 1,
    createdAt: stamp,
    updatedAt: stamp,
  };
  // The reservation is the gate, as for staff bookings: its reads find a conflict before anything is
  // written, and the walk-in's document is stored just before its slot (never a confirmed walk-in, owing
  // its event, whose slot the room refused).
  let stored = false;
  try {
    await deps.store.reserve(booking.id, [{ roomId: room.id, slots: [slot] }], {
      fresh: true,
      beforeWrite: async () => {
        await deps.store.create(booking);
        stored = true;
      },
    });
  } catch (error) {
    if (stored) await deps.store.remove(booking.id);
    throw error;
  }
  if (booking.calendarOwed === "write")
    await followUp(deps, { command: "write", bookingId: booking.id, version: booking.version });
  let owedVersion: number | undefined;
  try {
    const written = asApp
      ? await writeWalkIn(deps, { kind: "app" }, room, booking)
      : await writeAsDelegate(deps, writers, room, booking);
    // Ended or extended on the display while the event was written: the event has the first time, so
    // the change stays owed and its write is queued.
    const saved = await mutateBooking(deps, booking.id, (current) => {
      const { calendar: _owed, calendarOwed: _write, ...rest } = current;
      if (written === undefined && current.calendar === undefined) return undefined;
      const changed = written !== undefined && (current.start !== slot.start || current.end !== slot.end);
      return {
        ...rest,
        ...(written === undefined ? {} : { calendar: written }),
        ...(changed ? { calendarOwed: "write" as const } : {}),
        version: current.version + 1,
        updatedAt: deps.now().toISOString(),
      };
    });
    if (saved?.booking.calendarOwed === "write") owedVersion = saved.booking.version;
  } catch (error) {
    // Nothing of a walk-in Exchange did not take stays behind: the mark goes first (so the sweep does
    // not write it after all), then the slot, then the booking. One whose event the follow-up made
    // meanwhile (linked: Exchange took it) stands.
    const dropped = await mutateBooking(deps, booking.id, (current) => {
      if (current.calendarOwed === undefined) return undefined;
      const { calendarOwed: _write, ...rest } = current;
      return { ...rest, version: current.version + 1, updatedAt: deps.now().toISOString() };
    });
    if (dropped?.booking.calendar?.eventId === undefined) {
      await deps.store.reserve(booking.id, [{ roomId: room.id, slots: [] }], { force: true });
      await deps.store.remove(booking.id);
      throw error;
    }
    deps.log?.(`walk-in ${booking.id}: calendar write failed after its follow-up made it; it stands`);
  }
  // Queued after the walk-in stands: a queue refusal leaves the write owed for the recovery sweep.
  if (owedVersion !== undefined)
    await enqueueCommand(deps, { command: "write", bookingId: booking.id, version: owedVersion }).catch(
      (error: unknown) =>
        deps.log?.(
          `walk-in ${booking.id}: write not queued (${isAppError(error) ? error.code : "unexpected"}); the sweep completes it`,
        ),
    );
  deps.log?.(`walk-in ${booking.id} in room ${room.id} until ${slot.end}`);
  return {
    roomId: room.id,
    roomIds: [room.id],
    bookingId: booking.id,
    start: new Date(slot.start).toISOString(),
    end: new Date(slot.end).toISOString(),
    checkedIn: true,
  };
}

/** Writes a walk-in into the room's own calendar (the room the organizer, no attendees). */
async function writeWalkIn(
  deps: BookingDependencies,
  actor: CalendarActor,
  room: Room,
  b: Booking,
): Promise<CalendarLink> {
  const event = await (
    await deps.calendar()
  ).create(actor, room.email, {
    bookingId: b.id,
    subject: b.subject,
    start: b.start,
    end: b.end,
    timeZone: room.timeZone,
    isAllDay: false,
    isOnlineMeeting: false,
    rooms: [],
    attendees: [],
  });
  return {
    mailbox: room.email,
    actor: actor.kind,
    ...(actor.kind === "user" ? { writerId: actor.userId } : {}),
    eventId: event.eventId,
    ...(event.iCalUId === undefined ? {} : { iCalUId: event.iCalUId }),
    ...(event.etag === undefined ? {} : { etag: event.etag }),
  };
}

/** Signed-in users tried before the walk-in is held in ONES only. */
const MAX_WRITERS_TRIED = 5;

/**
 * Delegated modes: the walk-in is written with the token of the first signed-in user whom Exchange lets
 * write the room's calendar. A refusal (no folder rights, a token that no longer works) tries the next;
 * any other failure stands. Undefined when nobody may: the walk-in is then ONES's alone.
 */
async function writeAsDelegate(
  deps: BookingDependencies,
  writers: readonly string[],
  room: Room,
  b: Booking,
): Promise<CalendarLink | undefined> {
  for (const [i, userId] of writers.entries()) {
    // The writer tried is saved with the owed mark first, so the sweep writes with the same token.
    if (i > 0)
      await mutateBooking(deps, b.id, (current) =>
        current.calendar === undefined
          ? undefined
          : {
              ...current,
              calendar: { ...current.calendar, writerId: userId },
              version: current.version + 1,
              updatedAt: deps.now().toISOString(),
            },
      );
    try {
      return await writeWalkIn(deps, { kind: "user", userId }, room, b);
    } catch (error) {
      if (!(error instanceof AppError) || (error.code !== "forbidden" && error.code !== "unauthenticated"))
        throw error;
    }
  }
  deps.log?.(`walk-in ${b.id}: no signed-in user may write the calendar of room ${room.id}; held in ONES`);
  return undefined;
}

import { isFinal, type Booking, type OwedRelease, type Presence } from "../../domain/bookings/booking";
import { releaseDue } from "../../domain/displays/actions";
import { AppError, isAppError } from "../../domain/errors";
import type { Room } from "../../domain/rooms/room";
import { sendMail } from "../send-mail";
import { mailBooking, mutateBooking, type BookingDependencies } from "../bookings/dependencies";
import { deviceRules, publishRoomSchedules } from "../bookings/room-schedule";
import { actorOf, followUp } from "./device-actions";

export interface AutoReleaseResult {
  /** Occurrences released in this run. */
  readonly released: number;
  /** Releases a run that died had recorded and not finished, completed by this run. */
  readonly completed: number;
  /** Rooms looked at (check-in required, not left to Exchange). */
  readonly rooms: number;
}

const LOOK_BACK_MS = 24 * 3_600_000;
const emptyPresence: Presence = { checkedIn: [], extended: [], released: [] };
const RELEASED_REASON = "Released: nobody checked in.";

/** Whether the booking still owes the release of room `roomId` for occurrence `key`. */
export const owesRelease = (b: Booking, roomId: string, key: string): boolean =>
  (b.releasesOwed ?? []).some((o) => o.roomId === roomId && o.key === key);

/**
 * The `auto-release` timer: in every room whose policy requires check-in (and does not leave no-shows to
 * Exchange), each meeting not checked in by its start + grace, not extended and not yet over, gives the
 * room back. Store first (the release outbox): the booking is saved with the release recorded and owed
 * (`presence.released`, a `releasesOwed` entry), a `release` command is scheduled as the follow-up, and
 * only then is Microsoft 365 written: the room is taken off the organizer's event (Exchange cancels it
 * for the room; the organizer keeps the meeting), or, for an event in the room's own calendar, the event
 * is cancelled. Then ONES frees the slot, mails the organizer, settles the entry and updates the
 * displays. A run that died after the save leaves the entry: the follow-up completes it, and so does
 * the next run, which still finds the slot (it is freed only after Graph) and completes every owed
 * release it sees; the recovery sweep queues the follow-up again for an entry owed a quarter of an hour
 * (the store marks the document `releaseOwed`). Idempotent: a released occurrence no longer holds the room.
 */
export async function autoRelease(deps: BookingDependencies): Promise<AutoReleaseResult> {
  const now = deps.now().getTime();
  const rooms = (await deps.rooms.rooms()).filter((r) => r.active);
  let released = 0;
  let completed = 0;
  let looked = 0;
  for (const room of rooms) {
    const policy = await deps.policies.forRoom(room.id);
    if (!policy.checkIn.required || policy.checkIn.releaseHandledByExchange) continue;
    looked++;
    const rules = deviceRules(policy);
    const entries = await deps.store.roomSlots(room.id, now - LOOK_BACK_MS, now + 1);
    let touched = false;
    for (const entry of entries) {
      const stored = await deps.store.get(entry.bookingId);
      if (stored === undefined) continue;
      const b = stored.booking;
      try {
        if (owesRelease(b, room.id, entry.key)) {
          if ((await completeRelease(deps, b, room.id, entry.key)) === "done") completed++;
          touched = true;
          continue;
        }
        const presence = b.presence ?? emptyPresence;
        const occurrence = {
          start: entry.start,
          end: entry.end,
          checkedIn: presence.checkedIn.includes(entry.key),
        };
        if (presence.extended.includes(entry.key) || !releaseDue(rules, occurrence, now)) continue;
        if (await releaseOccurrence(deps, b, room, entry.key)) released++;
        touched = true;
      } catch (error) {
        const code = error instanceof AppError ? error.code : "unexpected";
        deps.log?.(`auto-release of booking ${entry.bookingId} in room ${room.id} failed: ${code}`);
      }
    }
    if (touched) await publishRoomSchedules(deps, [room.id]);
  }
  return { released, completed, rooms: looked };
}

/**
 * Records the release of one occurrence's room and owes it (one store write), schedules the follow-up,
 * then completes it. False when the booking changed meanwhile so that nothing is to be released (checked
 * in, extended, or the slot gone).
 */
async function releaseOccurrence(
  deps: BookingDependencies,
  b: Booking,
  room: Room,
  key: string,
): Promise<boolean> {
  const saved = await mutateBooking(deps, b.id, (current) => {
    const presence = current.presence ?? emptyPresence;
    const holds = (current.reserved[room.id] ?? []).some((s) => s.key === key);
    if (!holds || presence.checkedIn.includes(key) || presence.extended.includes(key)) return undefined;
    if (owesRelease(current, room.id, key)) return undefined;
    const owed: OwedRelease = { roomId: room.id, key };
    return {
      ...current,
      presence: presence.released.includes(key)
        ? presence
        : { ...presence, released: [...presence.released, key] },
      releasesOwed: [...(current.releasesOwed ?? []), owed],
      version: current.version + 1,
      updatedAt: deps.now().toISOString(),
    };
  });
  const booking = saved?.booking;
  if (booking === undefined || !owesRelease(booking, room.id, key)) return false;
  await followUp(deps, {
    command: "release",
    bookingId: b.id,
    version: booking.version,
    roomId: room.id,
    occurrence: key,
  });
  await completeRelease(deps, booking, room.id, key);
  return true;
}

/**
 * Completes the release of room `roomId` for occurrence `key` that booking `b` (as just read) owes:
 * Microsoft 365 first, then the slot in ONES's reservation, the organizer's mail, and the entry settled
 * with the booking's reservation (a single booking that holds no room any more becomes `cancelled`).
 * Each step repeats harmlessly (a cancel of a gone event does nothing, the attendee update sets the same
 * list, the slot release never adds one, the mail key is fixed), so the follow-up command, the next
 * timer run and the request itself may all run it. "skipped" when nothing is owed.
 */
export async function completeRelease(
  deps: BookingDependencies,
  b: Booking,
  roomId: string,
  key: string,
): Promise<"done" | "skipped"> {
  if (!owesRelease(b, roomId, key)) return "skipped";
  const room = await deps.rooms.room(roomId);
  await writeRelease(deps, b, roomId, room?.email ?? roomId, key);
  await deps.store.releaseOccurrences(b.id, [roomId], [key]);
  const grace = (await deps.policies.forRoom(roomId)).checkIn.graceAfterMinutes;
  await sendMail(deps, {
    key: `released:${b.id}:${b.roomIds.indexOf(roomId)}:${Date.parse(key)}`,
    to: [{ email: b.organizer.email }],
    template: {
      kind: "booking-released",
      booking: { ...mailBooking(b, room), start: key },
      releasedAt: deps.now().toISOString(),
      ...(grace > 0 ? { checkInMinutes: grace } : {}),
    },
  });
  await mutateBooking(deps, b.id, (current) => {
    if (!owesRelease(current, roomId, key)) return undefined;
    const { releasesOwed: owed = [], ...rest } = current;
    const left = owed.filter((o) => o.roomId !== roomId || o.key !== key);
    const reserved = {
      ...current.reserved,
      [roomId]: (current.reserved[roomId] ?? []).filter((s) => s.key !== key),
    };
    const holdsAny = Object.values(reserved).some((slots) => slots.length > 0);
    const ends = !holdsAny && current.recurrence === undefined && !isFinal(current.state);
    return {
      ...rest,
      ...(left.length === 0 ? {} : { releasesOwed: left }),
      reserved,
      ...(ends ? { state: "cancelled" as const, reason: RELEASED_REASON } : {}),
      version: current.version + 1,
      updatedAt: deps.now().toISOString(),
    };
  });
  deps.log?.(`booking ${b.id}: room ${roomId} released for ${key}`);
  return "done";
}

/**
 * The `release` command (the follow-up of a release): completes it if still owed and
 * tells the room's displays.
 */
export async function releaseFollowUp(
  deps: BookingDependencies,
  b: Booking,
  roomId: string,
  key: string,
): Promise<"done" | "skipped"> {
  const outcome = await completeRelease(deps, b, roomId, key);
  if (outcome === "done") await publishRoomSchedules(deps, [roomId]);
  return outcome;
}

/**
 * Gives the room back in Microsoft 365: a walk-in or a room-written event (the room its organizer) is
 * cancelled by the room; an organizer's single meeting loses the room from its resource attendees
 * (rooms still held or owed their own release stay off too). A series occurrence is released in ONES
 * only (the room stays on the series). An event gone already has nothing to give back.
 */
async function writeRelease(
  deps: BookingDependencies,
  b: Booking,
  roomId: string,
  roomEmail: string,
  key: string,
): Promise<void> {
  const eventId = b.calendar?.eventId;
  if (b.calendar === undefined || eventId === undefined) return;
  const gateway = await deps.calendar();
  if (b.calendar.mailbox.toLowerCase() === roomEmail.toLowerCase()) {
    if (b.recurrence === undefined) await gateway.cancel(actorOf(b), b.calendar.mailbox, eventId);
    else await gateway.cancelOccurrence(actorOf(b), b.calendar.mailbox, eventId, Date.parse(key));
    return;
  }
  if (b.recurrence !== undefined) {
    deps.log?.(`booking ${b.id}: series occurrence released in ONES; the room stays on the series`);
    return;
  }
  const kept = b.roomIds.filter(
    (id) => id !== roomId && !owesRelease(b, id, key) && (b.reserved[id] ?? []).some((s) => s.key === key),
  );
  const others = await Promise.all(kept.map((id) => deps.rooms.room(id)));
  try {
    await gateway.update(actorOf(b), b.calendar.mailbox, eventId, {
      attendees: b.attendees,
      rooms: others.flatMap((r) => (r === undefined ? [] : [{ email: r.email, name: r.displayName }])),
    });
  } catch (error) {
    if (!isAppError(error) || error.code !== "not-found") throw error;
    deps.log?.(`booking ${b.id}: its event is gone; the room is free in Exchange already`);
  }
}

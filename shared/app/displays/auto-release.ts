import type { Booking, Presence } from "../../domain/bookings/booking";
import { releaseDue } from "../../domain/displays/actions";
import { AppError } from "../../domain/errors";
import type { Room } from "../../domain/rooms/room";
import { sendMail } from "../send-mail";
import { mailBooking, mutateBooking, type BookingDependencies } from "../bookings/dependencies";
import { deviceRules, publishRoomSchedules } from "../bookings/room-schedule";
import { actorOf } from "./device-actions";

export interface AutoReleaseResult {
  /** Occurrences released in this run. */
  readonly released: number;
  /** Rooms looked at (check-in required, not left to Exchange). */
  readonly rooms: number;
}

const LOOK_BACK_MS = 24 * 3_600_000;
const emptyPresence: Presence = { checkedIn: [], extended: [], released: [] };

/**
 * The `auto-release` timer: in every room whose policy requires check-in (and does not leave no-shows to
 * Exchange), each meeting not checked in by its start + grace, not extended and not yet over, gives the
 * room back. The room is taken off the organizer's event (Exchange cancels it for the room; the
 * organizer keeps the meeting in their calendar), or, for an event in the room's own calendar, the event
 * is cancelled; ONES frees the slot, mails the organizer and updates the displays. Idempotent: a
 * released occurrence no longer holds the room, so the next run does not see it.
 */
export async function autoRelease(deps: BookingDependencies): Promise<AutoReleaseResult> {
  const now = deps.now().getTime();
  const rooms = (await deps.rooms.rooms()).filter((r) => r.active);
  let released = 0;
  let looked = 0;
  for (const room of rooms) {
    const policy = await deps.policies.forRoom(room.id);
    if (!policy.checkIn.required || policy.checkIn.releaseHandledByExchange) continue;
    looked++;
    const rules = deviceRules(policy);
    const entries = await deps.store.roomSlots(room.id, now - LOOK_BACK_MS, now + 1);
    const touched = new Set<string>();
    for (const entry of entries) {
      const stored = await deps.store.get(entry.bookingId);
      if (stored === undefined) continue;
      const presence = stored.booking.presence ?? emptyPresence;
      const occurrence = {
        start: entry.start,
        end: entry.end,
        checkedIn: presence.checkedIn.includes(entry.key),
      };
      if (presence.extended.includes(entry.key) || !releaseDue(rules, occurrence, now)) continue;
      try {
        await releaseOccurrence(deps, stored.booking, room, entry.key);
        released++;
        touched.add(room.id);
      } catch (error) {
        const code = error instanceof AppError ? error.code : "unexpected";
        deps.log?.(`auto-release of booking ${entry.bookingId} in room ${room.id} failed: ${code}`);
      }
    }
    if (touched.size > 0) await publishRoomSchedules(deps, [...touched]);
  }
  return { released, rooms: looked };
}

/** Gives one occurrence's room back: Graph first, then the reservation, the booking and the mail. */
async function releaseOccurrence(
  deps: BookingDependencies,
  b: Booking,
  room: Room,
  key: string,
): Promise<void> {
  const eventId = b.calendar?.eventId;
  if (b.calendar !== undefined && eventId !== undefined) {
    const gateway = await deps.calendar();
    if (b.calendar.mailbox.toLowerCase() === room.email.toLowerCase()) {
      // A walk-in or a room-written event: the room is its organizer, so the room cancels it.
      if (b.recurrence === undefined) await gateway.cancel(actorOf(b), b.calendar.mailbox, eventId);
      else await gateway.cancelOccurrence(actorOf(b), b.calendar.mailbox, eventId, Date.parse(key));
    } else if (b.recurrence === undefined) {
      const others = await Promise.all(
        b.roomIds.filter((id) => id !== room.id).map((id) => deps.rooms.room(id)),
      );
      await gateway.update(actorOf(b), b.calendar.mailbox, eventId, {
        attendees: b.attendees,
        rooms: others.flatMap((r) => (r === undefined ? [] : [{ email: r.email, name: r.displayName }])),
      });
    } else {
      deps.log?.(`booking ${b.id}: series occurrence released in ONES; the room stays on the series`);
    }
  }
  const remaining = (b.reserved[room.id] ?? []).filter((s) => s.key !== key);
  await deps.store.reserve(b.id, [{ roomId: room.id, slots: remaining }], { force: true });
  const saved = await mutateBooking(deps, b.id, (current) => {
    const presence = current.presence ?? emptyPresence;
    if (presence.released.includes(key)) return undefined;
    const reserved = { ...current.reserved, [room.id]: remaining };
    const holdsAny = Object.values(reserved).some((slots) => slots.length > 0);
    return {
      ...current,
      reserved,
      presence: { ...presence, released: [...presence.released, key] },
      ...(holdsAny || current.recurrence !== undefined
        ? {}
        : { state: "cancelled" as const, reason: "Released: nobody checked in." }),
      version: current.version + 1,
      updatedAt: deps.now().toISOString(),
    };
  });
  const booking = saved?.booking ?? b;
  const grace = (await deps.policies.forRoom(room.id)).checkIn.graceAfterMinutes;
  await sendMail(deps, {
    key: `released:${b.id}:${b.roomIds.indexOf(room.id)}:${Date.parse(key)}`,
    to: [{ email: booking.organizer.email }],
    template: {
      kind: "booking-released",
      booking: { ...mailBooking(booking, room), start: key },
      releasedAt: deps.now().toISOString(),
      ...(grace > 0 ? { checkInMinutes: grace } : {}),
    },
  });
}

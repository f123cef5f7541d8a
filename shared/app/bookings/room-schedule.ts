import { holdsSlots, type Booking } from "../../domain/bookings/booking";
import { displayWindow, visibleParts, type BusyBlock } from "../../domain/bookings/schedule";
import type { BookingPolicy } from "../../domain/bookings/policy";
import { occurrenceActions, type DeviceRules } from "../../domain/displays/actions";
import { AppError } from "../../domain/errors";
import type { Room } from "../../domain/rooms/room";
import type { ScheduleItem, ScheduleSnapshot } from "../ports/realtime-publisher";
import type { BookingDependencies } from "./dependencies";

type Deps = Pick<BookingDependencies, "store" | "policies" | "rooms" | "now">;

async function knownRoom(deps: Pick<BookingDependencies, "rooms">, roomId: string): Promise<Room> {
  const room = await deps.rooms.room(roomId.trim().toLowerCase());
  if (room === undefined) throw new AppError("not-found", "There is no such room.");
  return room;
}

/**
 * The busy blocks of a room in [from, to), each with the subject and organizer only as the room's
 * privacy setting allows (the booking documents are read only when something of them may be shown).
 */
export async function busyBlocks(
  deps: Deps,
  room: Room,
  from: number,
  to: number,
  docs = new Map<string, Booking | undefined>(),
  roomPolicy?: BookingPolicy,
): Promise<BusyBlock[]> {
  const [entries, policy] = await Promise.all([
    deps.store.roomSlots(room.id, from, to),
    roomPolicy ?? deps.policies.forRoom(room.id),
  ]);
  if (policy.privacy !== "busy" || policy.checkIn.required) {
    const ids = [...new Set(entries.map((e) => e.bookingId))];
    const loaded = await Promise.all(ids.map((id) => deps.store.get(id)));
    ids.forEach((id, i) => docs.set(id, loaded[i]?.booking));
  }
  return entries.map((e) => {
    const b = docs.get(e.bookingId);
    const organizer = b?.organizer.name ?? b?.organizer.email ?? "";
    return {
      bookingId: e.bookingId,
      occurrence: e.key,
      start: new Date(e.start).toISOString(),
      end: new Date(e.end).toISOString(),
      state: b?.state ?? "busy",
      ...(b === undefined ? {} : visibleParts(policy.privacy, b.subject, organizer)),
    };
  });
}

/** GET /api/rooms/{id}/schedule: busy blocks between `from` and `to` (at most 31 days). */
export async function roomSchedule(
  deps: Deps,
  roomId: string,
  window: { from: number; to: number },
): Promise<{ roomId: string; timeZone: string; from: string; to: string; items: BusyBlock[] }> {
  if (window.to <= window.from) throw new AppError("validation-failed", "`to` must be after `from`.");
  if (window.to - window.from > 31 * 86_400_000)
    throw new AppError("validation-failed", "A schedule covers at most 31 days.");
  const room = await knownRoom(deps, roomId);
  return {
    roomId: room.id,
    timeZone: room.timeZone,
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    items: await busyBlocks(deps, room, window.from, window.to),
  };
}

/** The check-in rules displays may know (never the PIN itself). */
export function deviceRules(policy: BookingPolicy): DeviceRules {
  return {
    checkInRequired: policy.checkIn.required,
    checkInBeforeMinutes: policy.checkIn.windowBeforeMinutes,
    checkInGraceMinutes: policy.checkIn.graceAfterMinutes,
    pinRequired: policy.checkIn.pin !== null,
  };
}

/**
 * The snapshot a room's display shows: today and tomorrow in the room's zone, privacy applied, with the
 * room's schedule version (it grows with every reservation change, so displays drop older snapshots).
 */
export async function roomScheduleSnapshot(deps: Deps, roomId: string): Promise<ScheduleSnapshot> {
  return snapshotOf(deps, await knownRoom(deps, roomId));
}

async function snapshotOf(deps: Deps, room: Room): Promise<ScheduleSnapshot> {
  const now = deps.now().getTime();
  const { from, to } = displayWindow(now, room.timeZone);
  const docs = new Map<string, Booking | undefined>();
  const [version, policy] = await Promise.all([
    deps.store.roomVersion(room.id),
    deps.policies.forRoom(room.id),
  ]);
  const blocks = await busyBlocks(deps, room, from, to, docs, policy);
  const rules = deviceRules(policy);
  const items: ScheduleItem[] = blocks
    .filter((b) => b.state === "busy" || holdsSlots(b.state as Booking["state"], true))
    .map((b) => {
      const checkedIn = docs.get(b.bookingId)?.presence?.checkedIn.includes(b.occurrence) ?? false;
      const occurrence = { start: Date.parse(b.start), end: Date.parse(b.end), checkedIn };
      return {
        id: `${b.bookingId}|${b.occurrence}`,
        start: b.start,
        end: b.end,
        ...(b.subject === undefined ? {} : { title: b.subject }),
        ...(b.organizer === undefined ? {} : { organizer: b.organizer }),
        checkedIn,
        actions: occurrenceActions(rules, occurrence, now),
      };
    });
  return {
    type: "schedule",
    roomId: room.id,
    version,
    generatedAt: new Date(now).toISOString(),
    items,
    rules,
  };
}

/**
 * Pushes each room's snapshot to its displays. Best effort: a failure is logged and the next change
 * (or the displays' own reconcile) publishes again; a booking never fails because a display is offline.
 */
export async function publishRoomSchedules(
  deps: Deps & Pick<BookingDependencies, "realtime" | "log">,
  roomIds: readonly string[],
): Promise<void> {
  await Promise.all(
    roomIds.map(async (roomId) => {
      try {
        const room = await knownRoom(deps, roomId);
        const snapshot = await snapshotOf(deps, room);
        await deps.realtime.publishSchedule(snapshot, { floorId: room.floorId });
      } catch (error) {
        const code = error instanceof AppError ? error.code : "unexpected";
        deps.log?.(`schedule of room ${roomId} not published: ${code}`);
      }
    }),
  );
}

import {
  deactivate,
  mailboxId,
  roomFromPlace,
  roomHash,
  roomListFromPlace,
  roomListHash,
  type Room,
  type RoomList,
} from "../../domain/rooms/room";
import { isAppError } from "../../domain/errors";
import { graphRequestIdOf } from "../../domain/integration/graph-call-error";
import { readAhead } from "./read-ahead";
import type { ProgressSink, SyncCounts, SyncDependencies } from "./sync-dependencies";

/**
 * Rooms and room lists from /places (modes with Place.Read.All). Room lists first (small), to know
 * each room's lists; then rooms page by page with buildings, floors and time zones derived. Rooms
 * Graph no longer returns are marked inactive, never deleted, and the booking hook flags their future
 * bookings. Only changed rooms are written.
 */
export async function syncRooms(deps: SyncDependencies, progress: ProgressSink): Promise<SyncCounts> {
  const places = deps.gateways.places();
  const writer = deps.store.writer();
  const counts = {
    pages: 0,
    read: 0,
    written: 0,
    roomLists: 0,
    rooms: 0,
    deactivated: 0,
    reactivated: 0,
    bookingsFlagged: 0,
    zonesFromWorkingHours: 0,
    transactions: 0,
  };
  let page = 0;

  // ---- room lists and which rooms each holds
  const storedLists = new Map((await deps.store.rooms.roomLists()).map((l) => [l.id, l]));
  const lists: RoomList[] = [];
  for await (const p of places.roomLists()) {
    counts.pages++;
    for (const item of p.items) lists.push(roomListFromPlace(item));
  }
  const listsOfRoom = new Map<string, RoomList[]>();
  await Promise.all(
    lists.map(async (list) => {
      for await (const p of places.roomsInList(list.email)) {
        counts.pages++;
        for (const r of p.items) {
          const id = mailboxId(r.emailAddress);
          listsOfRoom.set(id, [...(listsOfRoom.get(id) ?? []), list]);
        }
      }
    }),
  );
  for (const list of lists) {
    counts.roomLists++;
    const hash = roomListHash(list);
    const prev = storedLists.get(list.id);
    if (prev === undefined || roomListHash(prev) !== hash) {
      await writer.add({ entity: "roomList", list, hash }, page);
      counts.written++;
    }
  }
  writer.pageComplete(page++);

  // ---- rooms
  const stored = new Map((await deps.store.rooms.rooms()).map((r) => [r.id, r]));
  const buildingZones = await deps.store.rooms.buildingZones();
  const seen = new Set<string>();
  let askZones = true;
  for await (const p of readAhead(places.rooms())) {
    counts.pages++;
    counts.read += p.items.length;
    // Working hours are asked only for rooms whose zone Graph has not told yet.
    const needZone = p.items
      .filter((r) => stored.get(mailboxId(r.emailAddress))?.timeZoneSource !== "working-hours")
      .map((r) => r.emailAddress);
    let zones = new Map<string, string>();
    if (askZones && needZone.length > 0) {
      try {
        zones = await places.workingHoursZones(needZone);
      } catch (error) {
        // No calendar access (or no getSchedule): the building's zone it is, for this run.
        askZones = false;
        deps.log?.(
          `rooms: working hours unavailable (request ${graphRequestIdOf(error) ?? "-"}); using building zones`,
        );
      }
    }
    for (const place of p.items) {
      const id = mailboxId(place.emailAddress);
      seen.add(id);
      const prev = stored.get(id);
      const workingHoursZone = zones.get(id);
      if (workingHoursZone !== undefined) counts.zonesFromWorkingHours++;
      const room = roomFromPlace(place, {
        lists: listsOfRoom.get(id) ?? [],
        buildingZones,
        defaultZone: deps.defaultTimeZone,
        ...(workingHoursZone === undefined ? {} : { workingHoursZone }),
        ...(prev === undefined ? {} : { previous: prev }),
      });
      counts.rooms++;
      if (prev !== undefined && !prev.active) counts.reactivated++;
      if (prev !== undefined && roomHash(prev) === roomHash(room)) continue;
      await writer.add({ entity: "room", room, hash: roomHash(room) }, page);
      counts.written++;
    }
    writer.pageComplete(page++);
    await progress({ pages: counts.pages, read: counts.read, written: counts.written });
  }

  // ---- rooms that disappeared: inactive, never deleted
  const now = deps.now();
  const gone: Room[] = [];
  for (const room of stored.values()) {
    if (room.source !== "places" || !room.active || seen.has(room.id)) continue;
    const inactive = deactivate(room, now);
    gone.push(inactive);
    await writer.add({ entity: "room", room: inactive, hash: roomHash(inactive) }, page);
    counts.written++;
  }
  writer.pageComplete(page);
  await writer.flush();
  counts.deactivated = gone.length;
  if (gone.length > 0) {
    counts.bookingsFlagged = await deps.roomDeactivation.roomsDeactivated(
      gone.map((r) => r.id),
      now,
    );
  }
  counts.transactions = writer.stats.transactions;
  if (deps.roomsSynced !== undefined) {
    try {
      await deps.roomsSynced.roomsSynced(now);
    } catch (error) {
      // The renewal timer catches up; the rooms themselves are stored.
      deps.log?.(`rooms: follow-up failed (${isAppError(error) ? error.code : "unexpected"})`);
    }
  }
  await progress({ pages: counts.pages, read: counts.read, written: counts.written });
  return counts;
}

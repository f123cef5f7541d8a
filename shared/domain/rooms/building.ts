import type { Room } from "./room";

/** A building as ONES knows it: derived from its rooms, with the zone an admin configured. */
export interface Building {
  readonly id: string;
  readonly name: string;
  /** IANA zone an admin configured; rooms without working hours take it. Null until set. */
  readonly timeZone: string | null;
  readonly rooms: number;
  readonly activeRooms: number;
}

/** The buildings of `rooms` (and any with a configured zone but no room left), sorted by name. */
export function buildingsOf(rooms: readonly Room[], zones: ReadonlyMap<string, string>): Building[] {
  const byId = new Map<string, { name: string; rooms: number; activeRooms: number }>();
  for (const room of rooms) {
    const b = byId.get(room.buildingId) ?? { name: room.buildingName, rooms: 0, activeRooms: 0 };
    b.rooms++;
    if (room.active) b.activeRooms++;
    byId.set(room.buildingId, b);
  }
  for (const id of zones.keys()) if (!byId.has(id)) byId.set(id, { name: id, rooms: 0, activeRooms: 0 });
  return [...byId]
    .map(([id, b]) => ({ id, ...b, timeZone: zones.get(id) ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * The room with its building's zone, when the room takes it: a zone from the room's own working hours
 * or one an admin gave the room itself (import) is more specific and stays.
 */
export function withBuildingZone(room: Room, timeZone: string): Room {
  if (room.timeZoneSource === "working-hours" || room.timeZoneSource === "admin") return room;
  if (room.timeZoneSource === "building" && room.timeZone === timeZone) return room;
  return { ...room, timeZone, timeZoneSource: "building" };
}

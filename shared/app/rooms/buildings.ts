import { AppError } from "../../domain/errors";
import { buildingsOf, withBuildingZone, type Building } from "../../domain/rooms/building";
import { roomHash } from "../../domain/rooms/room";
import { toIanaZone } from "../../domain/rooms/time-zones";
import type { SyncStore } from "../ports/sync-store";

export interface BuildingsDependencies {
  readonly store: Pick<SyncStore, "rooms" | "writer">;
}

/** GET /api/admin/buildings: the buildings of the rooms ONES knows, with their configured zone. */
export async function listBuildings(deps: BuildingsDependencies): Promise<{ buildings: Building[] }> {
  const [rooms, zones] = await Promise.all([deps.store.rooms.rooms(), deps.store.rooms.buildingZones()]);
  return { buildings: buildingsOf(rooms, zones) };
}

/**
 * PUT /api/admin/buildings/{id}: sets a building's zone (IANA, or a Windows name mapped to IANA) and
 * applies it at once to the building's rooms that take it (no zone from their working hours nor one
 * of their own), so imported rooms of the delegated modes, which no rooms sync revisits, get it too.
 * The rooms sync keeps it from then on (`resolveTimeZone` reads the building zones on every run).
 */
export async function setBuildingTimeZone(
  deps: BuildingsDependencies,
  buildingId: string,
  timeZoneName: string,
): Promise<Building & { readonly roomsUpdated: number }> {
  const timeZone = toIanaZone(timeZoneName);
  if (timeZone === undefined) {
    throw new AppError("validation-failed", "Some fields are missing or invalid.", {
      fields: [
        {
          path: "timeZone",
          message: "Unknown time zone: give an IANA zone (Europe/Amsterdam) or a Windows zone name.",
        },
      ],
    });
  }
  const [rooms, zones] = await Promise.all([deps.store.rooms.rooms(), deps.store.rooms.buildingZones()]);
  const ofBuilding = rooms.filter((r) => r.buildingId === buildingId);
  if (ofBuilding.length === 0 && !zones.has(buildingId)) {
    throw new AppError("not-found", "ONES knows no building with this id (see GET /api/admin/buildings).");
  }
  await deps.store.rooms.setBuildingZone(buildingId, timeZone);

  const writer = deps.store.writer();
  let roomsUpdated = 0;
  for (const room of ofBuilding) {
    const updated = withBuildingZone(room, timeZone);
    if (updated === room) continue;
    await writer.add({ entity: "room", room: updated, hash: roomHash(updated) }, 0);
    roomsUpdated++;
  }
  writer.pageComplete(0);
  await writer.flush();

  const building = buildingsOf(ofBuilding, new Map([[buildingId, timeZone]])).find(
    (b) => b.id === buildingId,
  );
  return {
    id: buildingId,
    name: building?.name ?? buildingId,
    timeZone,
    rooms: building?.rooms ?? 0,
    activeRooms: building?.activeRooms ?? 0,
    roomsUpdated,
  };
}

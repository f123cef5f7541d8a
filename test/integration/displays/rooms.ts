import type { TableService } from "../../../shared/adapters/tables/table-service";
import { TableSyncStore } from "../../../shared/adapters/tables/table-sync-store";
import { roomHash, type Room } from "../../../shared/domain/rooms/room";

/** An active imported room in Berlin on `floorId`. */
export function testRoom(id: string, name: string, floorId: string | null): Room {
  return {
    id,
    email: id,
    displayName: name,
    capacity: 8,
    buildingId: "hq",
    buildingName: "HQ",
    floorId,
    floorLabel: floorId,
    floorNumber: null,
    wheelchairAccessible: false,
    bookable: true,
    tags: [],
    devices: [],
    roomListIds: [],
    timeZone: "Europe/Berlin",
    timeZoneSource: "default",
    source: "import",
    active: true,
  };
}

/** Stores rooms as a sync run would. */
export async function storeRooms(tables: TableService, rooms: readonly Room[]): Promise<void> {
  const writer = new TableSyncStore(tables).writer();
  for (const room of rooms) await writer.add({ entity: "room", room, hash: roomHash(room) }, 0);
  writer.pageComplete(0);
  await writer.flush();
}

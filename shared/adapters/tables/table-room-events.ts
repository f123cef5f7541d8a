import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import type { RoomEventIndex, RoomEventLink } from "../../app/ports/room-events";
import { safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * `roomevents`: PartitionKey = room id, RowKey = SHA-256 of the room event's id (Graph ids may hold
 * characters table keys may not), with `eventId`, `bookingId` and the occurrence `key`.
 */
export const ROOM_EVENTS_TABLE = "roomevents";

const rowKey = (eventId: string): string => createHash("sha256").update(eventId).digest("hex");

interface Row {
  readonly eventId: string;
  readonly bookingId: string;
  readonly key: string;
}

export class TableRoomEventIndex implements RoomEventIndex {
  constructor(private readonly tables: TableService) {}

  async get(roomId: string, eventId: string): Promise<RoomEventLink | undefined> {
    const table = await this.tables.table(ROOM_EVENTS_TABLE);
    try {
      const row = await table.getEntity<Row>(safeKey(roomId), rowKey(eventId));
      return { eventId: row.eventId, bookingId: row.bookingId, key: row.key };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async put(roomId: string, link: RoomEventLink): Promise<void> {
    const table = await this.tables.table(ROOM_EVENTS_TABLE);
    await table.upsertEntity(
      { partitionKey: safeKey(roomId), rowKey: rowKey(link.eventId), ...link },
      "Replace",
    );
  }

  async remove(roomId: string, eventId: string): Promise<void> {
    const table = await this.tables.table(ROOM_EVENTS_TABLE);
    try {
      await table.deleteEntity(safeKey(roomId), rowKey(eventId));
    } catch (error) {
      if (storageStatus(error) !== 404) throw error;
    }
  }

  async ofRoom(roomId: string): Promise<RoomEventLink[]> {
    const table = await this.tables.table(ROOM_EVENTS_TABLE);
    const out: RoomEventLink[] = [];
    const rows = table.listEntities<Row>({
      queryOptions: { filter: odata`PartitionKey eq ${safeKey(roomId)}` },
    });
    for await (const row of rows) out.push({ eventId: row.eventId, bookingId: row.bookingId, key: row.key });
    return out;
  }
}

import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import type { RoomEventIndex, RoomEventLink } from "../../app/ports/room-events";
import { safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * `roomevents`: PartitionKey = room id, RowKey = SHA-256 of the room event's id (Graph ids may hold
 * characters table keys may not), with `eventId`, `bookingId`, the occurrence `key` and the read
 * `generation` the link was written in. The room's read generation itself is the row `~generation`
 * of the same partition (no SHA-256 in hex starts with `~`), written only with its ETag so it never
 * goes back.
 */
export const ROOM_EVENTS_TABLE = "roomevents";

const rowKey = (eventId: string): string => createHash("sha256").update(eventId).digest("hex");
const GENERATION_ROW = "~generation";

interface Row {
  readonly eventId?: string;
  readonly bookingId: string;
  readonly key: string;
  readonly generation?: number;
  readonly modifiedAt?: string;
}

const linkOf = (row: Row & { readonly eventId: string }): RoomEventLink => ({
  eventId: row.eventId,
  bookingId: row.bookingId,
  key: row.key,
  ...(typeof row.generation === "number" ? { generation: row.generation } : {}),
  ...(typeof row.modifiedAt === "string" ? { modifiedAt: row.modifiedAt } : {}),
});

export class TableRoomEventIndex implements RoomEventIndex {
  constructor(private readonly tables: TableService) {}

  async get(roomId: string, eventId: string): Promise<RoomEventLink | undefined> {
    const table = await this.tables.table(ROOM_EVENTS_TABLE);
    try {
      const row = await table.getEntity<Row>(safeKey(roomId), rowKey(eventId));
      return row.eventId === undefined ? undefined : linkOf({ ...row, eventId: row.eventId });
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
    for await (const row of rows)
      if (row.eventId !== undefined) out.push(linkOf({ ...row, eventId: row.eventId }));
    return out;
  }

  async beginFullRead(roomId: string): Promise<number> {
    const table = await this.tables.table(ROOM_EVENTS_TABLE);
    const current = await this.counter(roomId);
    const next = (current?.generation ?? 0) + 1;
    const entity = { partitionKey: safeKey(roomId), rowKey: GENERATION_ROW, generation: next };
    try {
      if (current === undefined) await table.createEntity(entity);
      else await table.updateEntity(entity, "Replace", { etag: current.etag });
    } catch (error) {
      // Another full read moved it on since: it is at `next` or beyond already.
      const status = storageStatus(error);
      if (status !== 409 && status !== 412) throw error;
    }
    return next;
  }

  async generation(roomId: string): Promise<number> {
    return (await this.counter(roomId))?.generation ?? 0;
  }

  private async counter(roomId: string): Promise<{ generation: number; etag: string } | undefined> {
    const table = await this.tables.table(ROOM_EVENTS_TABLE);
    try {
      const row = await table.getEntity<{ generation?: number }>(safeKey(roomId), GENERATION_ROW);
      return { generation: typeof row.generation === "number" ? row.generation : 0, etag: row.etag };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }
}

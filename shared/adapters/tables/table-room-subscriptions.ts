import { odata } from "@azure/data-tables";
import type { RoomSubscriptionStore } from "../../app/ports/room-calendars";
import type { RoomSubscription } from "../../domain/calendar/room-subscription";
import { storageStatus as statusOf } from "./storage-errors";
import { safeKey } from "./table-batch-writer";
import type { TableService } from "./table-service";

/** Room subscriptions in one partition, row key = Graph's subscription id. */
export const SUBSCRIPTIONS_TABLE = "subscriptions";
const PARTITION = "room";

interface Row {
  roomId?: string;
  clientStateHash?: string;
  expiresAt?: string;
  createdAt?: string;
  renewedAt?: string;
  state?: string;
}

/**
 * The `RoomSubscriptionStore` on Table Storage. `find` (the notification intake) answers from a
 * per-worker cache kept for `cacheTtlMs`, and reads what is missing: a point read for one id, else
 * one query per 14 ids (Table Storage's limit of 15 comparisons per filter), sent together; a batch
 * from Graph names a handful of subscriptions, so this is one request in practice. Unknown ids are not cached, so a subscription made a moment ago
 * is found at once. Saves and removals on this worker drop the cached row; another worker may use a
 * removed row until its entry expires, which only costs a calendar read that finds nothing new (the
 * consumer reads Graph, never trusts the notification).
 */
export class TableRoomSubscriptionStore implements RoomSubscriptionStore {
  private readonly cache = new Map<string, { sub: RoomSubscription; until: number }>();

  constructor(
    private readonly tables: TableService,
    private readonly cacheTtlMs = 30_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async find(ids: readonly string[]): Promise<Map<string, RoomSubscription>> {
    const out = new Map<string, RoomSubscription>();
    const missing: string[] = [];
    const now = this.clock();
    for (const id of ids) {
      const hit = this.cache.get(id);
      if (hit !== undefined && hit.until > now) out.set(id, hit.sub);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const client = await this.tables.table(SUBSCRIPTIONS_TABLE);
    const found: RoomSubscription[] = [];
    if (missing.length === 1) {
      const id = missing[0] as string;
      try {
        found.push(fromRow(id, await client.getEntity<Row>(PARTITION, safeKey(id))));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    } else {
      // Table Storage allows 15 comparisons per filter: the partition and up to 14 ids per query.
      const chunks: string[][] = [];
      for (let i = 0; i < missing.length; i += 14) chunks.push(missing.slice(i, i + 14));
      await Promise.all(
        chunks.map(async (chunk) => {
          const keys = chunk.map((id) => odata`RowKey eq ${safeKey(id)}`);
          const filter = `PartitionKey eq '${PARTITION}' and (${keys.join(" or ")})`;
          for await (const row of client.listEntities<Row>({ queryOptions: { filter } })) {
            found.push(fromRow(String(row.rowKey), row));
          }
        }),
      );
    }
    for (const sub of found) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(sub.subscriptionId, { sub, until: now + this.cacheTtlMs });
      out.set(sub.subscriptionId, sub);
    }
    return out;
  }

  async all(): Promise<RoomSubscription[]> {
    const client = await this.tables.table(SUBSCRIPTIONS_TABLE);
    const out: RoomSubscription[] = [];
    const filter = odata`PartitionKey eq ${PARTITION}`;
    for await (const row of client.listEntities<Row>({ queryOptions: { filter } })) {
      out.push(fromRow(String(row.rowKey), row));
    }
    return out;
  }

  async ofRoom(roomId: string): Promise<RoomSubscription[]> {
    const client = await this.tables.table(SUBSCRIPTIONS_TABLE);
    const out: RoomSubscription[] = [];
    const filter = odata`PartitionKey eq ${PARTITION} and roomId eq ${roomId}`;
    for await (const row of client.listEntities<Row>({ queryOptions: { filter } })) {
      out.push(fromRow(String(row.rowKey), row));
    }
    return out;
  }

  async save(sub: RoomSubscription): Promise<void> {
    this.cache.delete(sub.subscriptionId);
    const client = await this.tables.table(SUBSCRIPTIONS_TABLE);
    await client.upsertEntity(
      {
        partitionKey: PARTITION,
        rowKey: safeKey(sub.subscriptionId),
        roomId: sub.roomId,
        clientStateHash: sub.clientStateHash,
        expiresAt: sub.expiresAt,
        createdAt: sub.createdAt,
        ...(sub.renewedAt === undefined ? {} : { renewedAt: sub.renewedAt }),
        state: sub.state,
      },
      "Replace",
    );
  }

  async remove(subscriptionId: string): Promise<void> {
    this.cache.delete(subscriptionId);
    const client = await this.tables.table(SUBSCRIPTIONS_TABLE);
    try {
      await client.deleteEntity(PARTITION, safeKey(subscriptionId));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}

function fromRow(subscriptionId: string, row: Row): RoomSubscription {
  return {
    subscriptionId,
    roomId: row.roomId ?? "",
    clientStateHash: row.clientStateHash ?? "",
    expiresAt: row.expiresAt ?? new Date(0).toISOString(),
    createdAt: row.createdAt ?? new Date(0).toISOString(),
    ...(row.renewedAt === undefined ? {} : { renewedAt: row.renewedAt }),
    state: row.state === "reauthorization-required" ? "reauthorization-required" : "active",
  };
}

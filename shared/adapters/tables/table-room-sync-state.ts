import { randomUUID } from "node:crypto";
import { odata } from "@azure/data-tables";
import {
  rejectionReasons,
  type RejectedNotificationCounter,
  type RejectionReason,
  type RoomDeltaPosition,
  type RoomSyncRecord,
  type RoomViewDigest,
  type RoomSyncStateStore,
} from "../../app/ports/room-calendars";
import { storageStatus as statusOf } from "./storage-errors";
import { safeKey, unsafeKey } from "./table-batch-writer";
import type { TableService } from "./table-service";

/**
 * Per-room calendar bookkeeping (partition `room`, row key = room id): the record the admin sees,
 * stored as properties, and the room's delta position. Partition `intake` holds the rejected
 * notification counts, one row per worker.
 */
export const ROOM_SYNC_TABLE = "roomSync";
const ROOMS = "room";

const recordFields = [
  "lastNotificationAt",
  "subscriptionState",
  "subscriptionId",
  "subscriptionExpiresAt",
  "lastReadAt",
  "lastReadKind",
  "eventsRead",
  "lastPollAt",
  "lastReconcileAt",
  "driftFound",
  "driftRepaired",
  "policyFlags",
  "pollUserId",
  "pollAccess",
  "pollMethod",
] as const;

type Row = Record<string, unknown>;

export class TableRoomSyncStateStore implements RoomSyncStateStore {
  constructor(private readonly tables: TableService) {}

  async get(
    roomId: string,
  ): Promise<(RoomSyncRecord & { delta?: RoomDeltaPosition; viewDigest?: RoomViewDigest }) | undefined> {
    const client = await this.tables.table(ROOM_SYNC_TABLE);
    try {
      const row = await client.getEntity<Row>(ROOMS, safeKey(roomId));
      const delta =
        typeof row.deltaLink === "string" &&
        typeof row.windowStart === "string" &&
        typeof row.windowEnd === "string"
          ? { deltaLink: row.deltaLink, windowStart: row.windowStart, windowEnd: row.windowEnd }
          : undefined;
      const viewDigest =
        typeof row.viewDigest === "string" && row.viewDigest !== "" && typeof row.viewWindowStart === "string"
          ? { digest: row.viewDigest, windowStart: row.viewWindowStart }
          : undefined;
      return {
        ...recordOf(roomId, row),
        ...(delta === undefined ? {} : { delta }),
        ...(viewDigest === undefined ? {} : { viewDigest }),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async update(roomId: string, patch: Parameters<RoomSyncStateStore["update"]>[1]): Promise<void> {
    const client = await this.tables.table(ROOM_SYNC_TABLE);
    const entity: Row = { partitionKey: ROOMS, rowKey: safeKey(roomId) };
    for (const key of recordFields) {
      const value = patch[key];
      if (value !== undefined) entity[key] = value ?? "";
    }
    if (patch.lastPolicyFlag !== undefined)
      entity.lastPolicyFlag = patch.lastPolicyFlag === null ? "" : JSON.stringify(patch.lastPolicyFlag);
    if (patch.lastError !== undefined)
      entity.lastError = patch.lastError === null ? "" : JSON.stringify(patch.lastError);
    if (patch.delta !== undefined) {
      entity.deltaLink = patch.delta?.deltaLink ?? "";
      entity.windowStart = patch.delta?.windowStart ?? "";
      entity.windowEnd = patch.delta?.windowEnd ?? "";
    }
    if (patch.viewDigest !== undefined) {
      entity.viewDigest = patch.viewDigest?.digest ?? "";
      entity.viewWindowStart = patch.viewDigest?.windowStart ?? "";
    }
    // Merge: other fields of the row stay as they are ("" stands for cleared).
    await client.upsertEntity(entity as { partitionKey: string; rowKey: string }, "Merge");
  }

  async page(
    limit: number,
    continuation?: string,
  ): Promise<{ items: RoomSyncRecord[]; continuation?: string }> {
    const client = await this.tables.table(ROOM_SYNC_TABLE);
    const pages = client
      .listEntities<Row>({ queryOptions: { filter: odata`PartitionKey eq ${ROOMS}` } })
      .byPage({
        maxPageSize: limit,
        ...(continuation === undefined ? {} : { continuationToken: continuation }),
      });
    const first = await pages.next();
    if (first.done === true) return { items: [] };
    const page = first.value;
    return {
      items: page.map((row) => recordOf(unsafeKey(String(row.rowKey)), row)),
      ...(page.continuationToken === undefined ? {} : { continuation: page.continuationToken }),
    };
  }
}

function recordOf(roomId: string, row: Row): RoomSyncRecord {
  const out: Record<string, unknown> = { roomId };
  for (const key of recordFields) {
    const value = row[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  for (const key of ["lastError", "lastPolicyFlag"] as const) {
    const value = row[key];
    if (typeof value === "string" && value !== "") out[key] = JSON.parse(value) as unknown;
  }
  return out as unknown as RoomSyncRecord;
}

/**
 * Rejected-notification counts: kept in memory per worker and written at most every `flushMs`, in the
 * background, to this worker's own row (no read, no contention). Totals add up every worker's row.
 */
export class TableRejectedNotificationCounter implements RejectedNotificationCounter {
  private readonly counts: Record<RejectionReason, number> = {
    "unknown-subscription": 0,
    "client-state-mismatch": 0,
    malformed: 0,
  };
  private lastAt: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly worker = `worker-${randomUUID()}`;

  constructor(
    private readonly tables: TableService,
    private readonly flushMs = 2_000,
  ) {}

  add(reason: RejectionReason, count: number, at: Date): void {
    this.counts[reason] += count;
    this.lastAt = at.toISOString();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
    this.timer.unref();
  }

  /** Writes this worker's counts now (also used before totals are read on this worker). */
  flush(): Promise<void> {
    const snapshot = { ...this.counts, ...(this.lastAt === undefined ? {} : { lastAt: this.lastAt }) };
    this.writing = this.writing
      .then(async () => {
        const client = await this.tables.table(ROOM_SYNC_TABLE);
        await client.upsertEntity({ partitionKey: "intake", rowKey: this.worker, ...snapshot }, "Replace");
      })
      .catch(() => undefined);
    return this.writing;
  }

  async totals(): Promise<{ counts: Record<RejectionReason, number>; lastAt?: string }> {
    if (this.lastAt !== undefined) await this.flush();
    const client = await this.tables.table(ROOM_SYNC_TABLE);
    const counts = Object.fromEntries(rejectionReasons.map((r) => [r, 0])) as Record<RejectionReason, number>;
    let lastAt: string | undefined;
    for await (const row of client.listEntities<Row>({
      queryOptions: { filter: odata`PartitionKey eq ${"intake"}` },
    })) {
      for (const reason of rejectionReasons)
        counts[reason] += typeof row[reason] === "number" ? row[reason] : 0;
      if (typeof row.lastAt === "string" && (lastAt === undefined || row.lastAt > lastAt))
        lastAt = row.lastAt;
    }
    return { counts, ...(lastAt === undefined ? {} : { lastAt }) };
  }
}

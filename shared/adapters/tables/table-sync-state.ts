import type { TableEntityResult } from "@azure/data-tables";
import type {
  LeaseResult,
  SyncCursor,
  SyncRequest,
  SyncStateStore,
  SyncStatus,
} from "../../app/ports/sync-state-store";
import type { SyncKind } from "../../domain/sync/sync-kinds";
import { safeKey } from "./table-batch-writer";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * Sync bookkeeping, one partition per kind: `status` (what the admin sees), `lease` (one run at a
 * time, taken and renewed with ETags), `request` (a pending admin "run now"), `cursor-{stream}`
 * (checkpoint and delta link). Structured parts are stored as JSON text.
 */
export const SYNC_STATE_TABLE = "syncState";

interface LeaseRow {
  owner?: string;
  expiresAt?: string;
}

export class TableSyncStateStore implements SyncStateStore {
  constructor(private readonly tables: TableService) {}

  async status(kind: SyncKind): Promise<SyncStatus | undefined> {
    const row = await this.get<{ json?: string }>(kind, "status");
    return row?.json === undefined ? undefined : (JSON.parse(row.json) as SyncStatus);
  }

  async saveStatus(status: SyncStatus): Promise<void> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    await client.upsertEntity(
      { partitionKey: status.kind, rowKey: "status", json: JSON.stringify(status) },
      "Replace",
    );
  }

  async cursor(kind: SyncKind, stream: string): Promise<SyncCursor | undefined> {
    const row = await this.get<{ json?: string }>(kind, `cursor-${safeKey(stream)}`);
    return row?.json === undefined ? undefined : (JSON.parse(row.json) as SyncCursor);
  }

  async saveCursor(kind: SyncKind, cursor: SyncCursor): Promise<void> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    await client.upsertEntity(
      { partitionKey: kind, rowKey: `cursor-${safeKey(cursor.stream)}`, json: JSON.stringify(cursor) },
      "Replace",
    );
  }

  async acquireLease(kind: SyncKind, owner: string, ttlMs: number, now: Date): Promise<LeaseResult> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    const current = await this.get<LeaseRow>(kind, "lease");
    try {
      if (current === undefined) {
        await client.createEntity({ partitionKey: kind, rowKey: "lease", owner, expiresAt });
        return { acquired: true };
      }
      const free =
        current.owner === owner ||
        current.expiresAt === undefined ||
        Date.parse(current.expiresAt) <= now.getTime();
      if (!free) return { acquired: false, holder: current.owner ?? "unknown" };
      await client.updateEntity({ partitionKey: kind, rowKey: "lease", owner, expiresAt }, "Replace", {
        etag: current.etag,
      });
      return { acquired: true };
    } catch (error) {
      // Someone else created or took it between our read and our write.
      const status = storageStatus(error);
      if (status === 409 || status === 412) {
        const winner = await this.get<LeaseRow>(kind, "lease");
        return { acquired: false, holder: winner?.owner ?? "unknown" };
      }
      throw error;
    }
  }

  async renewLease(kind: SyncKind, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    const current = await this.get<LeaseRow>(kind, "lease");
    if (current?.owner !== owner) return false;
    try {
      const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
      await client.updateEntity({ partitionKey: kind, rowKey: "lease", owner, expiresAt }, "Replace", {
        etag: current.etag,
      });
      return true;
    } catch (error) {
      if (storageStatus(error) === 412) return false;
      throw error;
    }
  }

  async releaseLease(kind: SyncKind, owner: string): Promise<void> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    const current = await this.get<LeaseRow>(kind, "lease");
    if (current?.owner !== owner) return;
    try {
      await client.deleteEntity(kind, "lease", { etag: current.etag });
    } catch (error) {
      const status = storageStatus(error);
      if (status !== 404 && status !== 412) throw error;
    }
  }

  async leaseHolder(kind: SyncKind, now: Date): Promise<string | undefined> {
    const lease = await this.get<LeaseRow>(kind, "lease");
    if (lease?.owner === undefined || lease.expiresAt === undefined) return undefined;
    return Date.parse(lease.expiresAt) > now.getTime() ? lease.owner : undefined;
  }

  async request(kind: SyncKind): Promise<SyncRequest | undefined> {
    return (await this.requestRow(kind))?.request;
  }

  async openRequest(
    request: SyncRequest,
    staleBefore: Date,
  ): Promise<{ created: boolean; request: SyncRequest }> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    const entity = { partitionKey: request.kind, rowKey: "request", json: JSON.stringify(request) };
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.requestRow(request.kind);
      try {
        if (current === undefined) {
          await client.createEntity(entity);
          return { created: true, request };
        }
        if (Date.parse(current.request.requestedAt) >= staleBefore.getTime()) {
          return { created: false, request: current.request };
        }
        await client.updateEntity(entity, "Replace", { etag: current.etag });
        return { created: true, request };
      } catch (error) {
        // Another request was recorded between our read and write: read again and join it.
        const status = storageStatus(error);
        if (status !== 409 && status !== 412) throw error;
      }
    }
    const winner = await this.requestRow(request.kind);
    if (winner === undefined) throw new Error("sync request row keeps changing");
    return { created: false, request: winner.request };
  }

  async takeRequest(kind: SyncKind, runId: string): Promise<SyncRequest | undefined> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    const current = await this.requestRow(kind);
    if (current === undefined) return undefined;
    const taken: SyncRequest = { ...current.request, runId };
    try {
      await client.updateEntity(
        { partitionKey: kind, rowKey: "request", json: JSON.stringify(taken) },
        "Replace",
        { etag: current.etag },
      );
      return taken;
    } catch (error) {
      // Replaced or closed meanwhile: the newer request waits for its own run.
      const status = storageStatus(error);
      if (status === 404 || status === 412) return undefined;
      throw error;
    }
  }

  async closeRequest(kind: SyncKind, requestId: string): Promise<void> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    const current = await this.requestRow(kind);
    if (current?.request.requestId !== requestId) return;
    try {
      await client.deleteEntity(kind, "request", { etag: current.etag });
    } catch (error) {
      const status = storageStatus(error);
      if (status !== 404 && status !== 412) throw error;
    }
  }

  private async requestRow(kind: SyncKind): Promise<{ request: SyncRequest; etag: string } | undefined> {
    const row = await this.get<{ json?: string }>(kind, "request");
    if (row?.json === undefined) return undefined;
    return { request: JSON.parse(row.json) as SyncRequest, etag: row.etag };
  }

  private async get<T extends object>(
    kind: SyncKind,
    rowKey: string,
  ): Promise<TableEntityResult<T> | undefined> {
    const client = await this.tables.table(SYNC_STATE_TABLE);
    try {
      return await client.getEntity<T>(kind, rowKey);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }
}

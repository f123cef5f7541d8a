import { odata, type TableEntityResult } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import type { DisplayStore, PairingCodeStore } from "../../app/ports/display-store";
import type { Display } from "../../domain/displays/display";
import type { DisplayTarget } from "../../domain/displays/snapshot";
import { safeKey } from "./keys";
import type { TableService } from "./table-service";

/** Displays in table `displays`: partition `display`, row = display id. */
const PARTITION = "display";

interface DisplayEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  targetKind: string;
  targetId: string;
  createdAt: string;
  credentialHash?: string;
  pairedAt?: string;
  lastSeenAt?: string;
  pageVersion?: string;
  silentSince?: string;
}

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

export class TableDisplayStore implements DisplayStore {
  constructor(private readonly tables: TableService) {}

  async list(): Promise<Display[]> {
    const table = await this.tables.table("displays");
    const out: Display[] = [];
    for await (const e of table.listEntities<DisplayEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    }))
      out.push(fromEntity(e));
    return out;
  }

  async get(id: string): Promise<Display | undefined> {
    const table = await this.tables.table("displays");
    try {
      return fromEntity(await table.getEntity<DisplayEntity>(PARTITION, safeKey(id)));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async create(display: Display): Promise<void> {
    const table = await this.tables.table("displays");
    await table.createEntity<DisplayEntity>({
      partitionKey: PARTITION,
      rowKey: safeKey(display.id),
      name: display.name,
      targetKind: display.target.kind,
      targetId: display.target.kind === "room" ? display.target.roomId : display.target.floorId,
      createdAt: display.createdAt,
    });
  }

  async remove(id: string): Promise<boolean> {
    const table = await this.tables.table("displays");
    try {
      await table.deleteEntity(PARTITION, safeKey(id));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  setCredential(id: string, credentialHash: string, pairedAt: string): Promise<void> {
    return this.merge(id, { credentialHash, pairedAt });
  }

  touch(id: string, seenAt: string, pageVersion: string): Promise<void> {
    return this.merge(id, { lastSeenAt: seenAt, pageVersion });
  }

  async setSilentSince(id: string, silentSince: string | undefined): Promise<void> {
    // An empty string clears the property: Merge cannot remove one.
    return this.merge(id, { silentSince: silentSince ?? "" });
  }

  /** Updates some properties of an existing display; a removed display stays removed. */
  private async merge(id: string, fields: Partial<DisplayEntity>): Promise<void> {
    const table = await this.tables.table("displays");
    await table.updateEntity({ partitionKey: PARTITION, rowKey: safeKey(id), ...fields }, "Merge", {
      etag: "*",
    });
  }
}

function fromEntity(e: TableEntityResult<DisplayEntity>): Display {
  const target: DisplayTarget =
    e.targetKind === "floor" ? { kind: "floor", floorId: e.targetId } : { kind: "room", roomId: e.targetId };
  const optional = (key: "credentialHash" | "pairedAt" | "lastSeenAt" | "pageVersion" | "silentSince") =>
    e[key] === undefined || e[key] === "" ? {} : { [key]: e[key] };
  return {
    id: e.rowKey,
    name: e.name,
    target,
    createdAt: e.createdAt,
    ...optional("credentialHash"),
    ...optional("pairedAt"),
    ...optional("lastSeenAt"),
    ...optional("pageVersion"),
    ...optional("silentSince"),
  };
}

/**
 * Pairing codes and wrong guesses in table `displaypairing`: partition `code`, row = the code's hash;
 * partition `miss:{window start}`, one row per wrong guess, `{address}~{uuid}`.
 */
export class TablePairingCodeStore implements PairingCodeStore {
  constructor(private readonly tables: TableService) {}

  async put(codeHash: string, displayId: string, expiresAt: string): Promise<void> {
    const table = await this.tables.table("displaypairing");
    await table.createEntity({ partitionKey: "code", rowKey: codeHash, displayId, expiresAt });
  }

  async take(codeHash: string): Promise<{ displayId: string; expiresAt: string } | undefined> {
    const table = await this.tables.table("displaypairing");
    let entity: TableEntityResult<{ displayId: string; expiresAt: string }>;
    try {
      entity = await table.getEntity("code", codeHash);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
    try {
      // Deleting by ETag: of two devices racing with the same code, only one deletes it.
      await table.deleteEntity("code", codeHash, { etag: entity.etag });
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 412) return undefined;
      throw error;
    }
    return { displayId: entity.displayId, expiresAt: entity.expiresAt };
  }

  async recordMiss(address: string, windowStart: string): Promise<{ address: number; total: number }> {
    const table = await this.tables.table("displaypairing");
    await table.createEntity({
      partitionKey: `miss:${windowStart}`,
      rowKey: `${safeKey(address)}~${randomUUID()}`,
    });
    return this.misses(address, windowStart);
  }

  async misses(address: string, windowStart: string): Promise<{ address: number; total: number }> {
    const table = await this.tables.table("displaypairing");
    const prefix = `${safeKey(address)}~`;
    let total = 0;
    let mine = 0;
    for await (const e of table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${`miss:${windowStart}`}`, select: ["RowKey"] },
    })) {
      total++;
      if (e.rowKey?.startsWith(prefix) === true) mine++;
    }
    return { address: mine, total };
  }
}

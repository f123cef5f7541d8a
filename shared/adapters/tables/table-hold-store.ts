import { odata } from "@azure/data-tables";
import type { HoldStore } from "../../app/ports/hold-store";
import type { Hold } from "../../domain/bookings/hold";
import { AppError } from "../../domain/errors";
import { safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/** Holds in table `bookingholds`: partition `hold`, row = hold id, the hold as JSON in `doc`. */
const TABLE = "bookingholds";
const PARTITION = "hold";

interface HoldEntity {
  partitionKey: string;
  rowKey: string;
  doc: string;
}

const toEntity = (hold: Hold): HoldEntity => ({
  partitionKey: PARTITION,
  rowKey: safeKey(hold.id),
  doc: JSON.stringify(hold),
});

export class TableHoldStore implements HoldStore {
  constructor(private readonly tables: TableService) {}

  async create(hold: Hold): Promise<void> {
    await (await this.tables.table(TABLE)).createEntity(toEntity(hold));
  }

  async get(id: string): Promise<{ hold: Hold; etag: string } | undefined> {
    const table = await this.tables.table(TABLE);
    try {
      const e = await table.getEntity<HoldEntity>(PARTITION, safeKey(id));
      return { hold: JSON.parse(e.doc) as Hold, etag: e.etag };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async replace(hold: Hold, etag: string): Promise<void> {
    const table = await this.tables.table(TABLE);
    try {
      await table.updateEntity(toEntity(hold), "Replace", { etag });
    } catch (error) {
      if (storageStatus(error) === 404) throw new AppError("not-found", "There is no such hold.");
      throw error;
    }
  }

  async remove(id: string, etag?: string): Promise<boolean> {
    const table = await this.tables.table(TABLE);
    try {
      await table.deleteEntity(PARTITION, safeKey(id), etag === undefined ? {} : { etag });
      return true;
    } catch (error) {
      const status = storageStatus(error);
      if (status === 404 || status === 412) return false;
      throw error;
    }
  }

  async list(): Promise<Array<{ hold: Hold; etag: string }>> {
    const table = await this.tables.table(TABLE);
    const out: Array<{ hold: Hold; etag: string }> = [];
    for await (const e of table.listEntities<HoldEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    }))
      out.push({ hold: JSON.parse(e.doc) as Hold, etag: e.etag });
    return out;
  }
}

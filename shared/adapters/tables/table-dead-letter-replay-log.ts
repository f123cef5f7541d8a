import { odata } from "@azure/data-tables";
import type { DeadLetterReplayLog } from "../../app/ports/dead-letter-replay-log";
import type { ExpiredRowPurge } from "../../app/ports/expired-rows";
import { deleteWhere, safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

interface ReplayEntity {
  partitionKey: string;
  rowKey: string;
  replayedAt: Date;
}

const PARTITION = "replayed";

/** Table `deadletterreplays`: one row per replayed dead-letter id, with when it was replayed. */
export class TableDeadLetterReplayLog implements DeadLetterReplayLog, ExpiredRowPurge {
  constructor(private readonly tables: TableService) {}

  async recordReplayed(id: string, at: Date): Promise<void> {
    const table = await this.tables.table("deadletterreplays");
    const entity: ReplayEntity = { partitionKey: PARTITION, rowKey: safeKey(id), replayedAt: at };
    await table.upsertEntity(entity, "Replace");
  }

  async replayedAt(id: string): Promise<Date | undefined> {
    const table = await this.tables.table("deadletterreplays");
    try {
      return new Date((await table.getEntity<ReplayEntity>(PARTITION, safeKey(id))).replayedAt);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Deletes the records of replays done before `before`. */
  async purgeExpired(before: Date): Promise<number> {
    const table = await this.tables.table("deadletterreplays");
    return deleteWhere(table, odata`PartitionKey eq ${PARTITION} and replayedAt lt ${before}`);
  }
}

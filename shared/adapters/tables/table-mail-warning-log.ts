import type { MailWarningLog } from "../../app/ports/mail-warning-log";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/** One-off warnings in table `mailwarnings`: partition = series, row = step. */
export class TableMailWarningLog implements MailWarningLog {
  constructor(private readonly tables: TableService) {}

  async has(series: string, step: string): Promise<boolean> {
    const table = await this.tables.table("mailwarnings");
    try {
      await table.getEntity(safeKey(series), safeKey(step));
      return true;
    } catch (error) {
      if (storageStatus(error) === 404) return false;
      throw error;
    }
  }

  async record(series: string, step: string, at: Date): Promise<void> {
    const table = await this.tables.table("mailwarnings");
    await table.upsertEntity({ partitionKey: safeKey(series), rowKey: safeKey(step), sentAt: at }, "Replace");
  }
}

function safeKey(key: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what table keys may not hold
  return key.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, "_");
}

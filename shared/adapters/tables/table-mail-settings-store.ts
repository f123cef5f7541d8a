import type { MailSettings, MailSettingsStore } from "../../app/ports/mail-settings-store";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";
import { settingsPartition, settingsRows, settingsTable } from "./table-settings-rows";

interface MailSettingsEntity {
  partitionKey: string;
  rowKey: string;
  senderAddress?: string;
}

/** The mail settings row (`settings` / `mail`): the sender address system mail is sent from. */
export class TableMailSettingsStore implements MailSettingsStore {
  constructor(private readonly tables: TableService) {}

  async get(): Promise<MailSettings> {
    const table = await this.tables.table(settingsTable);
    try {
      const row = await table.getEntity<MailSettingsEntity>(settingsPartition, settingsRows.mail);
      const senderAddress = typeof row.senderAddress === "string" ? row.senderAddress.trim() : "";
      return senderAddress === "" ? {} : { senderAddress };
    } catch (error) {
      if (storageStatus(error) === 404) return {};
      throw error;
    }
  }

  /** Merges into the row, so fields another issue keeps there (e.g. the channel) survive. */
  async save(settings: MailSettings): Promise<void> {
    const table = await this.tables.table(settingsTable);
    const entity: MailSettingsEntity = { partitionKey: settingsPartition, rowKey: settingsRows.mail };
    if (settings.senderAddress !== undefined) entity.senderAddress = settings.senderAddress;
    await table.upsertEntity(entity, "Merge");
  }
}

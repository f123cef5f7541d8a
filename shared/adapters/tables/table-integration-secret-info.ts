import type { IntegrationSecret, IntegrationSecretInfo } from "../../app/ports/integration-secret-info";
import type { TableService } from "./table-service";
import { settingsPartition, settingsRows, settingsTable } from "./table-settings-rows";

/** Fields of the integration settings row this adapter reads (the integration issue owns the row). */
interface IntegrationEntity {
  partitionKey: string;
  rowKey: string;
  /** ISO 8601 or a table DateTime. */
  clientSecretExpiresAt?: string | Date;
  clientId?: string;
  /** A JSON array of addresses, or addresses separated by commas or semicolons. */
  adminEmails?: string;
}

/** Reads the secret expiry and admin addresses from the integration settings row (`settings` / `integration`). */
export class TableIntegrationSecretInfo implements IntegrationSecretInfo {
  constructor(private readonly tables: TableService) {}

  async get(): Promise<IntegrationSecret> {
    const table = await this.tables.table(settingsTable);
    let row: IntegrationEntity;
    try {
      row = await table.getEntity<IntegrationEntity>(settingsPartition, settingsRows.integration);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { adminEmails: [] };
      throw error;
    }
    const expires = row.clientSecretExpiresAt === undefined ? undefined : new Date(row.clientSecretExpiresAt);
    return {
      ...(expires !== undefined && !Number.isNaN(expires.getTime())
        ? { clientSecretExpiresAt: expires }
        : {}),
      ...(typeof row.clientId === "string" && row.clientId !== "" ? { clientId: row.clientId } : {}),
      adminEmails: parseAddresses(row.adminEmails),
    };
  }

  /** Writes the fields this adapter reads (merging): for tests and `npm start` until the settings endpoint exists. */
  async save(info: IntegrationSecret): Promise<void> {
    const table = await this.tables.table(settingsTable);
    const entity: IntegrationEntity = {
      partitionKey: settingsPartition,
      rowKey: settingsRows.integration,
      adminEmails: JSON.stringify(info.adminEmails),
    };
    if (info.clientSecretExpiresAt !== undefined)
      entity.clientSecretExpiresAt = info.clientSecretExpiresAt.toISOString();
    if (info.clientId !== undefined) entity.clientId = info.clientId;
    await table.upsertEntity(entity, "Merge");
  }
}

function parseAddresses(value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  if (value.trim().startsWith("[")) {
    try {
      const parsed = JSON.parse(value) as unknown;
      return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
    } catch {
      return [];
    }
  }
  return value
    .split(/[,;]/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

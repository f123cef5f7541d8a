import type {
  CrossDomainSettings,
  CrossDomainStore,
  DomainRepresentative,
} from "../../app/ports/cross-domain-store";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";
import { settingsPartition, settingsRows, settingsTable } from "./table-settings-rows";

interface CrossDomainEntity {
  partitionKey: string;
  rowKey: string;
  /** JSON array of `{ domain, mailbox }` (a tenant has a handful of domains: one row holds them all). */
  representatives?: string;
}

/** The cross-domain booking row (`settings` / `crossDomain`). */
export class TableCrossDomainStore implements CrossDomainStore {
  constructor(private readonly tables: TableService) {}

  async get(): Promise<CrossDomainSettings> {
    const table = await this.tables.table(settingsTable);
    try {
      const row = await table.getEntity<CrossDomainEntity>(settingsPartition, settingsRows.crossDomain);
      return { representatives: parse(row.representatives) };
    } catch (error) {
      if (storageStatus(error) === 404) return { representatives: [] };
      throw error;
    }
  }

  async save(settings: CrossDomainSettings): Promise<void> {
    const table = await this.tables.table(settingsTable);
    const entity: CrossDomainEntity = {
      partitionKey: settingsPartition,
      rowKey: settingsRows.crossDomain,
      representatives: JSON.stringify(
        settings.representatives.map((r) => ({ domain: r.domain, mailbox: r.mailbox })),
      ),
    };
    await table.upsertEntity(entity, "Replace");
  }
}

function parse(value: string | undefined): DomainRepresentative[] {
  if (value === undefined || value === "") return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((r: unknown) => {
      const { domain, mailbox } = (r ?? {}) as { domain?: unknown; mailbox?: unknown };
      return typeof domain === "string" && typeof mailbox === "string" ? [{ domain, mailbox }] : [];
    });
  } catch {
    return [];
  }
}

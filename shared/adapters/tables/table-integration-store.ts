import type { IntegrationSettings, IntegrationStore } from "../../app/ports/integration-store";
import type { SecretBox } from "../../app/ports/secret-box";
import type { Cloud } from "../../domain/integration/cloud";
import { isIntegrationMode } from "../../domain/integration/modes";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";
import { settingsPartition, settingsRows, settingsTable } from "./table-settings-rows";

/**
 * The integration settings row (`settings` / `integration`). It is shared with the mail work's
 * `TableIntegrationSecretInfo`, which reads `clientSecretExpiresAt`, `clientId` and `adminEmails` from
 * it, so those keep their names and formats (ISO date string, JSON array). Writes merge.
 */
interface IntegrationEntity {
  partitionKey: string;
  rowKey: string;
  name?: string;
  cloud?: string;
  tenantId?: string;
  clientId?: string;
  mode?: string;
  clientSecretExpiresAt?: string;
  adminGroupId?: string;
  adminEmails?: string;
  updatedAt?: string;
  /** AES-256-GCM sealed client secret (never stored in plain text). */
  clientSecretSealed?: string;
}

const secretContext = `${settingsTable}/${settingsPartition}/${settingsRows.integration}/clientSecret`;

/**
 * How long a worker reuses the row it read. Every authenticated request and every Graph call reads the
 * integration, so it is memoised (with the decrypted secret) instead of read and decrypted each time.
 * A save drops it at once in the worker that saved; other workers (other instances of the app) see
 * the change up to this long later: a new mode, secret or admin group takes effect there within 30 s.
 */
export const integrationCacheMs = 30_000;

interface Cached {
  readonly at: number;
  readonly row: Promise<IntegrationEntity | undefined>;
  secret?: Promise<string | undefined>;
}

export class TableIntegrationStore implements IntegrationStore {
  constructor(
    private readonly tables: TableService,
    private readonly box: SecretBox,
    /** M365_CLIENT_SECRET: the Key Vault-referenced secret used while none was saved. */
    private readonly bootstrapSecret?: string,
    /** From the M365_* app settings: the integration until an admin saves one, so a first admin can sign in. */
    private readonly bootstrap?: IntegrationSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private cached: Cached | undefined;

  async get(): Promise<IntegrationSettings | undefined> {
    const row = await this.row();
    const mode = row?.mode ?? "";
    if (row?.tenantId === undefined || row.clientId === undefined || !isIntegrationMode(mode))
      return this.bootstrap;
    const expires = row.clientSecretExpiresAt === undefined ? undefined : new Date(row.clientSecretExpiresAt);
    const updated = row.updatedAt === undefined ? new Date(0) : new Date(row.updatedAt);
    return {
      name: row.name ?? "",
      cloud: (row.cloud === "china" ? "china" : "global") satisfies Cloud,
      tenantId: row.tenantId,
      clientId: row.clientId,
      mode,
      ...(expires !== undefined && !Number.isNaN(expires.getTime()) ? { secretExpiresAt: expires } : {}),
      ...(row.adminGroupId ? { adminGroupId: row.adminGroupId } : {}),
      adminEmails: parseEmails(row.adminEmails),
      updatedAt: updated,
    };
  }

  async clientSecret(): Promise<string | undefined> {
    const cached = this.current();
    if (cached.secret === undefined) {
      const secret = cached.row.then((row) =>
        row?.clientSecretSealed ? this.box.open(row.clientSecretSealed, secretContext) : this.bootstrapSecret,
      );
      cached.secret = secret;
      secret.catch(() => {
        if (cached.secret === secret) delete cached.secret;
      });
    }
    return cached.secret;
  }

  async hasClientSecret(): Promise<boolean> {
    const row = await this.row();
    return Boolean(row?.clientSecretSealed) || this.bootstrapSecret !== undefined;
  }

  async save(settings: IntegrationSettings, clientSecret?: string): Promise<void> {
    const table = await this.tables.table(settingsTable);
    const entity: IntegrationEntity = {
      partitionKey: settingsPartition,
      rowKey: settingsRows.integration,
      name: settings.name,
      cloud: settings.cloud,
      tenantId: settings.tenantId,
      clientId: settings.clientId,
      mode: settings.mode,
      // Empty strings clear a value under Merge (the secret-info reader treats "" as unset).
      clientSecretExpiresAt: settings.secretExpiresAt?.toISOString() ?? "",
      adminGroupId: settings.adminGroupId ?? "",
      updatedAt: settings.updatedAt.toISOString(),
    };
    if (settings.adminEmails !== undefined) entity.adminEmails = JSON.stringify(settings.adminEmails);
    if (clientSecret !== undefined) entity.clientSecretSealed = this.box.seal(clientSecret, secretContext);
    this.cached = undefined;
    try {
      await table.upsertEntity(entity, "Merge");
    } finally {
      // Dropped again: a read that started during the write may have memoised the old row.
      this.cached = undefined;
    }
  }

  private row(): Promise<IntegrationEntity | undefined> {
    return this.current().row;
  }

  /** The memoised read, or a new one when it is older than `integrationCacheMs` (or failed). */
  private current(): Cached {
    const at = this.now().getTime();
    const cached = this.cached;
    if (cached !== undefined && at - cached.at < integrationCacheMs && at >= cached.at) return cached;
    const fresh: Cached = { at, row: this.read() };
    fresh.row.catch(() => {
      if (this.cached === fresh) this.cached = undefined;
    });
    this.cached = fresh;
    return fresh;
  }

  private async read(): Promise<IntegrationEntity | undefined> {
    const table = await this.tables.table(settingsTable);
    try {
      return await table.getEntity<IntegrationEntity>(settingsPartition, settingsRows.integration);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }
}

function parseEmails(value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === "string");
  } catch {
    // not JSON: a list separated by commas or semicolons, as the secret-info reader also accepts
  }
  return value
    .split(/[,;]/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

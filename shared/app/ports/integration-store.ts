import type { Cloud } from "../../domain/integration/cloud";
import type { IntegrationMode } from "../../domain/integration/modes";

/** The admin's integration settings (GET/PUT /api/admin/integration). */
export interface IntegrationSettings {
  readonly name: string;
  readonly cloud: Cloud;
  readonly tenantId: string;
  readonly clientId: string;
  readonly mode: IntegrationMode;
  /** When the client secret expires (Entra allows at most two years); drives the expiry warnings. */
  readonly secretExpiresAt?: Date;
  /** Group whose members are ONES admins, besides holders of the app role. */
  readonly adminGroupId?: string;
  /** Addresses of the admins who get operational mail (secret expiry warnings). */
  readonly adminEmails?: readonly string[];
  readonly updatedAt: Date;
}

/**
 * Where the integration settings live. The client secret is write-only: it is stored encrypted (or as a
 * Key Vault reference) and only `clientSecret()` returns it, for the token adapter.
 */
export interface IntegrationStore {
  get(): Promise<IntegrationSettings | undefined>;
  clientSecret(): Promise<string | undefined>;
  /** Whether a secret is set (saved or from the app settings), without decrypting it. */
  hasClientSecret(): Promise<boolean>;
  /** Saves the settings; the stored secret is replaced only when `clientSecret` is given. */
  save(settings: IntegrationSettings, clientSecret?: string): Promise<void>;
}

import type { IntegrationSecretInfo } from "./ports/integration-secret-info";
import type { IntegrationStore } from "./ports/integration-store";

/**
 * The secret-expiry timer's view of the integration, read through the `IntegrationStore` like everything
 * else: the settings an admin saved, or until then the M365_* bootstrap app settings
 * (`M365_CLIENT_SECRET_EXPIRES_AT`, `M365_ADMIN_EMAILS`), so both warn the same way.
 */
export function secretInfoFromIntegration(integration: Pick<IntegrationStore, "get">): IntegrationSecretInfo {
  return {
    async get() {
      const settings = await integration.get();
      if (settings === undefined) return { adminEmails: [] };
      return {
        ...(settings.secretExpiresAt === undefined
          ? {}
          : { clientSecretExpiresAt: settings.secretExpiresAt }),
        clientId: settings.clientId,
        adminEmails: settings.adminEmails ?? [],
      };
    },
  };
}

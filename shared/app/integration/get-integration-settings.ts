import type { Cloud } from "../../domain/integration/cloud";
import type { IntegrationMode } from "../../domain/integration/modes";
import { modeLabels } from "../../domain/integration/capabilities";
import { redirectUriOf } from "../auth/start-sign-in";
import type { IntegrationSettings, IntegrationStore } from "../ports/integration-store";

/** The integration settings as an admin sees them: never the client secret, only whether one is set. */
export interface IntegrationSettingsView {
  readonly configured: boolean;
  readonly name?: string;
  readonly cloud?: Cloud;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly mode?: IntegrationMode;
  readonly modeLabel?: string;
  readonly clientSecret: { readonly set: boolean; readonly expiresAt?: string };
  readonly adminGroupId?: string;
  readonly adminEmails: readonly string[];
  readonly updatedAt?: string;
  /** To register in the app registration as a Web platform redirect URI. */
  readonly redirectUri: string;
}

export function integrationView(
  settings: IntegrationSettings | undefined,
  secretSet: boolean,
  appBaseUrl: string,
): IntegrationSettingsView {
  const redirectUri = redirectUriOf(appBaseUrl);
  if (settings === undefined)
    return { configured: false, clientSecret: { set: secretSet }, adminEmails: [], redirectUri };
  return {
    configured: true,
    name: settings.name,
    cloud: settings.cloud,
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    mode: settings.mode,
    modeLabel: modeLabels[settings.mode],
    clientSecret: {
      set: secretSet,
      ...(settings.secretExpiresAt === undefined
        ? {}
        : { expiresAt: settings.secretExpiresAt.toISOString() }),
    },
    ...(settings.adminGroupId === undefined ? {} : { adminGroupId: settings.adminGroupId }),
    adminEmails: settings.adminEmails ?? [],
    updatedAt: settings.updatedAt.toISOString(),
    redirectUri,
  };
}

/** GET /api/admin/integration. */
export async function getIntegrationSettings(deps: {
  readonly integration: IntegrationStore;
  readonly appBaseUrl: string;
}): Promise<IntegrationSettingsView> {
  // Whether a secret is set, without decrypting it.
  const [settings, secretSet] = await Promise.all([
    deps.integration.get(),
    deps.integration.hasClientSecret(),
  ]);
  return integrationView(settings, secretSet, deps.appBaseUrl);
}

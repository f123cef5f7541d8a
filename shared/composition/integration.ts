import {
  exchangeScriptForDeployment as exchangeScriptUseCase,
  type ExchangeScriptRequest,
} from "../app/integration/exchange-script-for-deployment";
import {
  getIntegrationSettings as getIntegrationSettingsUseCase,
  type IntegrationSettingsView,
} from "../app/integration/get-integration-settings";
import {
  saveIntegrationSettings as saveIntegrationSettingsUseCase,
  type IntegrationSettingsInput,
  type SaveIntegrationDeps,
} from "../app/integration/save-integration-settings";
import { testIntegration as testIntegrationUseCase } from "../app/integration/test-integration";
import {
  integrationCapabilities as integrationCapabilitiesUseCase,
  type CapabilityReport,
} from "../app/integration-capabilities";
import type { CrossDomainStore } from "../app/ports/cross-domain-store";
import type { MailSettingsStore } from "../app/ports/mail-settings-store";
import type { RoomStore } from "../app/ports/sync-store";
import type { Principal } from "../domain/auth/principal";
import { perWorker, type Result } from "./services";

/** The Microsoft 365 integration (app registration, mode, cloud) and the admin settings that need it. */
export interface AdminSettingsDeps extends SaveIntegrationDeps {
  readonly rooms: Pick<RoomStore, "rooms" | "roomEmails" | "anyActiveRoomEmail">;
  readonly crossDomain: CrossDomainStore;
  readonly mailSettings: MailSettingsStore;
}

/** One bag for the integration and settings areas (composition/settings.ts uses it too). */
export const adminSettingsDeps = perWorker((s): AdminSettingsDeps => ({
  integration: s.integrationStore,
  access: s.registrationAccess,
  rooms: s.knownRooms,
  crossDomain: s.crossDomain,
  mailSettings: s.mailSettings,
  appBaseUrl: s.settings.APP_BASE_URL,
  now: s.now,
}));

export const getIntegrationSettings = (): Promise<IntegrationSettingsView> =>
  getIntegrationSettingsUseCase(adminSettingsDeps());

export const saveIntegrationSettings = (
  admin: Principal,
  input: IntegrationSettingsInput,
): Promise<Result<typeof saveIntegrationSettingsUseCase>> =>
  saveIntegrationSettingsUseCase(adminSettingsDeps(), admin, input);

export const testIntegration = (
  admin: Principal,
  input: Parameters<typeof testIntegrationUseCase>[2],
): Promise<Result<typeof testIntegrationUseCase>> =>
  testIntegrationUseCase(adminSettingsDeps(), admin, input);

export const exchangeScript = (request: ExchangeScriptRequest): Promise<string> =>
  exchangeScriptUseCase(adminSettingsDeps(), request);

export const integrationCapabilities = (): Promise<CapabilityReport> =>
  integrationCapabilitiesUseCase(adminSettingsDeps());

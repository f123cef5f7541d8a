import { getCrossDomainSettings as getCrossDomainUseCase } from "../app/settings/get-cross-domain-settings";
import { getMailSettings as getMailSettingsUseCase } from "../app/settings/get-mail-settings";
import { saveCrossDomainSettings as saveCrossDomainUseCase } from "../app/settings/save-cross-domain-settings";
import { saveMailSettings as saveMailSettingsUseCase } from "../app/settings/save-mail-settings";
import type { Result } from "./services";
import type { Principal } from "../domain/auth/principal";
import { adminSettingsDeps } from "./integration";

/** The advanced admin settings: cross-domain representatives and the system mail sender. */

export const getCrossDomainSettings = (): Promise<Result<typeof getCrossDomainUseCase>> =>
  getCrossDomainUseCase(adminSettingsDeps());

export const saveCrossDomainSettings = (
  admin: Principal,
  input: Parameters<typeof saveCrossDomainUseCase>[2],
): Promise<Result<typeof saveCrossDomainUseCase>> =>
  saveCrossDomainUseCase(adminSettingsDeps(), admin, input);

export const getMailSettings = (): Promise<Result<typeof getMailSettingsUseCase>> =>
  getMailSettingsUseCase(adminSettingsDeps());

export const saveMailSettings = (
  admin: Principal,
  input: Parameters<typeof saveMailSettingsUseCase>[2],
): Promise<Result<typeof saveMailSettingsUseCase>> =>
  saveMailSettingsUseCase(adminSettingsDeps(), admin, input);

import type { MailSettings, MailSettingsStore } from "../ports/mail-settings-store";

/** GET /api/admin/settings/mail. */
export async function getMailSettings(deps: {
  readonly mailSettings: MailSettingsStore;
}): Promise<MailSettings> {
  return deps.mailSettings.get();
}

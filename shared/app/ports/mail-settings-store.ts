/** The mail part of the advanced settings an admin keeps (`PUT /api/admin/settings/mail`). */
export interface MailSettings {
  /** The address system mail is sent from; must belong to a verified domain. */
  readonly senderAddress?: string;
}

export interface MailSettingsStore {
  get(): Promise<MailSettings>;
  save(settings: MailSettings): Promise<void>;
}

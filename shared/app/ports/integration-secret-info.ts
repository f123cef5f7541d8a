/** What the secret-expiry timer needs from the integration settings. */
export interface IntegrationSecret {
  /** When the app registration's client secret expires; undefined without one (certificate, not set). */
  readonly clientSecretExpiresAt?: Date;
  /** The app registration's application (client) id, shown in the warning. */
  readonly clientId?: string;
  /** Addresses of the admins who get the warnings. */
  readonly adminEmails: readonly string[];
}

/** Read side of the integration settings (the integration settings endpoint writes them). */
export interface IntegrationSecretInfo {
  get(): Promise<IntegrationSecret>;
}

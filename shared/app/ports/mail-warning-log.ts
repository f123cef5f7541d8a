/**
 * Remembers one-off warnings mailed for a series (e.g. the 30-, 7- and 1-day warnings for one client
 * secret, keyed by its expiry), so each is sent once however often the timer runs.
 */
export interface MailWarningLog {
  has(series: string, step: string): Promise<boolean>;
  record(series: string, step: string, at: Date): Promise<void>;
}

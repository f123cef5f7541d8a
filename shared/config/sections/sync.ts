import { z } from "zod";

export const ncrontab = (fallback: string) =>
  z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 6, "a six-field NCRONTAB expression")
    .default(fallback);

/** Room, user and group sync from Microsoft 365. */
export const syncSettings = {
  /** When the `rooms-sync` timer runs (six-field NCRONTAB; hourly). */
  ROOMS_SYNC_SCHEDULE: ncrontab("0 0 * * * *"),
  /** When the `directory-sync` timer runs (six-field NCRONTAB; every 15 minutes). */
  DIRECTORY_SYNC_SCHEDULE: ncrontab("0 */15 * * * *"),
  /**
   * IANA time zone of rooms whose working hours Graph does not tell (no calendar access, or a
   * building without a configured zone).
   */
  ROOMS_DEFAULT_TIME_ZONE: z
    .string()
    .trim()
    .refine((v) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: v });
        return true;
      } catch {
        return false;
      }
    }, "an IANA time zone such as Europe/Amsterdam")
    .default("UTC"),
} as const;

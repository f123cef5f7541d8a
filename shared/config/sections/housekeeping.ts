import { z } from "zod";

/** The daily purge of rows nobody can use any more (expired sign-ins and sessions, old sent-mail ids). */
export const housekeepingSettings = {
  /** When the `housekeeping` timer runs (six-field NCRONTAB; daily at 03:30 UTC). */
  HOUSEKEEPING_SCHEDULE: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 6, "a six-field NCRONTAB expression")
    .default("0 30 3 * * *"),
} as const;

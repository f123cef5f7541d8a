import { z } from "zod";

/** Holds the Outlook add-in makes on a room while a meeting is being written. */
export const holdSettings = {
  /** Minutes an unclaimed hold keeps its room's slot before it lapses. */
  HOLD_MINUTES: z.coerce.number().int().min(1).max(60).default(10),
  /** When the `holds-expire` timer frees lapsed holds (six-field NCRONTAB; every minute). */
  HOLDS_EXPIRE_SCHEDULE: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 6, "a six-field NCRONTAB expression")
    .default("0 * * * * *"),
} as const;

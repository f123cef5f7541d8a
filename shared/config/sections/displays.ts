import { z } from "zod";

/** Room and floor displays: when their health is checked, and when a silent one counts as offline. */
export const displaySettings = {
  /** When the `display-health` timer runs (six-field NCRONTAB; every 5 minutes). */
  DISPLAY_HEALTH_SCHEDULE: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 6, "a six-field NCRONTAB expression")
    .default("0 */5 * * * *"),
  /** When the `auto-release` timer gives back rooms nobody checked in to (six-field NCRONTAB; every minute). */
  AUTO_RELEASE_SCHEDULE: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 6, "a six-field NCRONTAB expression")
    .default("0 * * * * *"),
  /** Minutes without a heartbeat after which the admins are told a display is offline. */
  DISPLAY_SILENT_MINUTES: z.coerce.number().int().min(2).max(1440).default(10),
} as const;

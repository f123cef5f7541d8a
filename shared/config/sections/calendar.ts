import { z } from "zod";
import { schedulePeriodMs } from "../../domain/calendar/poll-schedule";
import { ncrontab } from "./sync";

/** Outlook to ONES: room-calendar subscriptions and reading room calendars. */
export const calendarSettings = {
  /** When the `subscriptions-renew` timer runs (six-field NCRONTAB; every 30 minutes). */
  SUBSCRIPTIONS_RENEW_SCHEDULE: ncrontab("0 */30 * * * *"),
  /**
   * Lifetime asked for each room-calendar subscription, in minutes (45 to 10,070). Graph's maximum for
   * Outlook events has been documented as 4,230 and as 10,080 minutes; the default sits under both, and
   * a longer value Graph refuses is retried with the maximum Graph names.
   */
  SUBSCRIPTION_LIFETIME_MINUTES: z.coerce.number().int().min(45).max(10_070).default(4_200),
  /** Days ahead of today that room calendars are read (and kept in step). */
  CALENDAR_SYNC_DAYS: z.coerce.number().int().min(1).max(730).default(180),
  /** When the `calendar-reconcile` timer compares room calendars with ONES (every 15 minutes). */
  CALENDAR_RECONCILE_SCHEDULE: ncrontab("0 */15 * * * *"),
  /**
   * When the `calendar-poll` timer reads room calendars in the delegated modes (six-field NCRONTAB;
   * every minute). Its period is the poll interval: each run reads every room once, the rooms spread
   * over the period, so it must be regular (`*` or `*\/N` in the seconds, minutes or hours field).
   */
  CALENDAR_POLL_SCHEDULE: ncrontab("0 */1 * * * *").refine(
    (v) => schedulePeriodMs(v) !== undefined,
    "a regular schedule: * or */N in the seconds, minutes or hours field, finer fields fixed, coarser ones *",
  ),
  /** Days ahead of now the reconcile compares (1 to 60). */
  CALENDAR_RECONCILE_DAYS: z.coerce.number().int().min(1).max(60).default(14),
} as const;

import type { RecoveryResult } from "../../shared/app/bookings/recover-pending";

/** What a recovery sweep queued again: the counts given, every other kind none. */
export const recovered = (counts: Partial<RecoveryResult> = {}): RecoveryResult => ({
  rewritten: 0,
  relooked: 0,
  cancels: 0,
  occurrences: 0,
  releases: 0,
  ...counts,
});

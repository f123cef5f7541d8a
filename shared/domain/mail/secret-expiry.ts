/** When admins hear that the app registration's client secret runs out: 30, 7 and 1 days ahead. */
export const secretWarningDays = [30, 7, 1] as const;
export type SecretWarningDays = (typeof secretWarningDays)[number];

const dayMs = 86_400_000;

/**
 * The warning due at `now`: the most urgent threshold the time left has reached (so a first run five
 * days ahead sends the 7-day warning, not the 30-day one too). Undefined while more than 30 days are
 * left. Past the expiry the 1-day warning is still due, once, so an admin hears about it at all.
 */
export function dueSecretWarning(expiresAt: Date, now: Date): SecretWarningDays | undefined {
  const daysLeft = (expiresAt.getTime() - now.getTime()) / dayMs;
  let due: SecretWarningDays | undefined;
  for (const days of secretWarningDays) if (daysLeft <= days) due = days;
  return due;
}

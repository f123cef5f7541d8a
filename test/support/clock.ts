/**
 * A starting instant for a test that moves its injected clock on by a few minutes and compares reads
 * of a calendar window that begins at a UTC day boundary. Near midnight the window would move under
 * the test; this returns the real time, or just past the next midnight when the real time is within
 * `marginMs` of it.
 */
export function clearOfUtcMidnight(now: Date = new Date(), marginMs = 15 * 60_000): Date {
  const nextMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return nextMidnight - now.getTime() < marginMs ? new Date(nextMidnight + 60_000) : now;
}

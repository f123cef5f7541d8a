/**
 * Time in tests. CI runs the suite at any hour on any day, so a test that reads the real clock must
 * hold at 23:59 UTC, in the first hour after midnight, on a daylight-saving day in a room's zone and
 * on any weekday (the demo tenant's generated week of meetings is placed from the real date).
 *
 * ONES_TEST_NOW moves "now" for the tests that take it from here, so such an instant can be tried
 * on purpose: `ONES_TEST_NOW=23:58` (the next 23:58 UTC), `ONES_TEST_NOW=00:10`, or an ISO instant
 * ahead of the real time such as `ONES_TEST_NOW=2027-03-28T00:10:00Z` (a DST day in Europe). The
 * test clock then runs on from that instant; the offset is never negative, so the simulator's
 * clock can follow it (`sim.control.clock.advance(testClockOffsetMs())`). Unset, it is the real clock.
 * Taken by the Outlook tests (test/integration/outlook) and the display-actions browser test. Keep the
 * jump within a day there: a far one outlives what the stacks made at start (the simulator's refresh
 * tokens, the subscriptions' lifetime), which is no time-of-day question.
 */
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

let offset: number | undefined;

/** How far the test clock runs ahead of the real one (0 unless ONES_TEST_NOW is set). */
export function testClockOffsetMs(): number {
  if (offset !== undefined) return offset;
  const wanted = process.env.ONES_TEST_NOW?.trim();
  if (wanted === undefined || wanted === "") return (offset = 0);
  const real = Date.now();
  let at: number;
  const hhmm = HH_MM.exec(wanted);
  if (hhmm !== null) {
    const d = new Date(real);
    at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), Number(hhmm[1]), Number(hhmm[2]));
    if (at < real) at += 86_400_000;
  } else {
    at = Date.parse(wanted);
    if (Number.isNaN(at) || at < real)
      throw new Error(`ONES_TEST_NOW must be HH:MM (UTC) or an instant ahead of now, not "${wanted}"`);
  }
  return (offset = at - real);
}

/** The test clock: the real time, or the ONES_TEST_NOW instant running on. */
export function testNow(): Date {
  return new Date(Date.now() + testClockOffsetMs());
}

/** The start (00:00 UTC) of the day `days` after the one `at` falls in. */
export function utcDayStart(at: Date, days = 0): number {
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + days);
}

/**
 * Days from today past every meeting the simulator's demo tenant generates (dev/m365/calendar/seed.ts:
 * Monday to Friday of the week it starts in, or of the next at weekends, with stand-ups repeated for
 * two weeks). A test that books a demo room at a time of its own choosing books this far ahead, or
 * the room's own meetings would conflict with it on some weekdays. (A few rooms also have a weekly
 * Wednesday review at 16:00 local for a month.)
 */
export const PAST_DEMO_MEETINGS_DAYS = 14;

/**
 * A starting instant for a test that moves its injected clock on by a few minutes and compares reads
 * of a calendar window that begins at a UTC day boundary. Near midnight the window would move under
 * the test; this returns the test clock's time, or just past the next midnight when that time is
 * within `marginMs` of it.
 */
export function clearOfUtcMidnight(now: Date = testNow(), marginMs = 15 * 60_000): Date {
  const nextMidnight = utcDayStart(now, 1);
  return nextMidnight - now.getTime() < marginMs ? new Date(nextMidnight + 60_000) : now;
}

/**
 * The clock moved on for a later step of a test (a reconcile after the writes it should find settled):
 * the test clock's time, or a minute past `previous` when that is later. After `clearOfUtcMidnight`
 * jumped past midnight the real time lags behind; going back to it would move a day-bound read window
 * back over midnight under the test.
 */
export function movedOn(previous: Date): Date {
  return new Date(Math.max(testNow().getTime(), previous.getTime() + 60_000));
}

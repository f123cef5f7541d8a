/**
 * What a room display may do on the spot, and when. Pure: the use cases and the snapshot builder ask
 * these functions with the room's policy and the time; the page repeats the same rules with its clock.
 */

export const deviceActions = ["check-in", "extend", "end", "book-now"] as const;
export type DeviceAction = (typeof deviceActions)[number];

/** The check-in rules a display needs (the PIN itself never leaves the server). */
export interface DeviceRules {
  readonly checkInRequired: boolean;
  readonly checkInBeforeMinutes: number;
  readonly checkInGraceMinutes: number;
  readonly pinRequired: boolean;
}

/** One occurrence in a room, as the action rules see it. */
export interface OccurrenceState {
  readonly start: number;
  readonly end: number;
  readonly checkedIn: boolean;
}

/** Shortest walk-in or extension ONES writes, in minutes. */
export const MIN_DEVICE_MINUTES = 5;
/** Longest walk-in or extension a display asks for, in minutes. */
export const MAX_DEVICE_MINUTES = 240;

/** When check-in opens and closes for an occurrence (closing never after its end). */
export function checkInWindow(
  rules: DeviceRules,
  o: Pick<OccurrenceState, "start" | "end">,
): {
  opens: number;
  closes: number;
} {
  return {
    opens: o.start - rules.checkInBeforeMinutes * 60_000,
    closes: Math.min(o.end, o.start + rules.checkInGraceMinutes * 60_000),
  };
}

/** The actions a display offers for an occurrence at `now` (book-now is the room's, not a meeting's). */
export function occurrenceActions(rules: DeviceRules, o: OccurrenceState, now: number): DeviceAction[] {
  const actions: DeviceAction[] = [];
  const window = checkInWindow(rules, o);
  if (!o.checkedIn && now >= window.opens && now < window.closes) actions.push("check-in");
  if (now >= o.start && now < o.end) actions.push("extend", "end");
  return actions;
}

/** Whether a no-show is due for release: check-in required, not checked in, grace over, not yet ended. */
export function releaseDue(rules: DeviceRules, o: OccurrenceState, now: number): boolean {
  return rules.checkInRequired && !o.checkedIn && now >= checkInWindow(rules, o).closes && now < o.end;
}

/** Policy rules that bind a display's walk-in or extension (who-may-book, terms and fields are a person's). */
export const deviceBoundRules: ReadonlySet<string> = new Set([
  "business-hours",
  "min-duration",
  "max-duration",
  "overnight",
]);

const MINUTE = 60_000;
const SECOND = 1_000;

/**
 * Where a meeting ended on the display stops: at the current minute, so the room is free at once (a
 * walk-in can follow straight away). Within the meeting's first minute it stops at the current second,
 * since an event needs some length.
 */
export function endedEarlyAt(o: Pick<OccurrenceState, "start">, now: number): number {
  const minute = Math.floor(now / MINUTE) * MINUTE;
  if (minute > o.start) return minute;
  return Math.max(Math.floor(now / SECOND) * SECOND, o.start + SECOND);
}

/** What a walk-in may take, or why it may not. */
export type WalkIn =
  | { readonly ok: true; readonly start: number; readonly end: number }
  | { readonly ok: false; readonly reason: "in-use"; readonly until: number }
  | { readonly ok: false; readonly reason: "no-time"; readonly next: number };

/**
 * A walk-in asked for at `now` for `minutes`, given the room's slots around it: from the current minute
 * (or from the end of a meeting that stopped within it), for the minutes asked, cut at the next meeting.
 * Refused while a meeting is in progress, or when less than the shortest walk-in fits before the next.
 */
export function walkInSlot(
  taken: readonly { readonly start: number; readonly end: number }[],
  now: number,
  minutes: number,
): WalkIn {
  const minute = Math.floor(now / MINUTE) * MINUTE;
  const current = taken.find((s) => s.start <= now && s.end > now);
  if (current !== undefined) return { ok: false, reason: "in-use", until: current.end };
  const start = Math.max(minute, ...taken.filter((s) => s.end <= now).map((s) => s.end));
  const asked = minute + minutes * MINUTE;
  const next = Math.min(Infinity, ...taken.filter((s) => s.start > now).map((s) => s.start));
  if (next < asked && next - start < MIN_DEVICE_MINUTES * MINUTE)
    return { ok: false, reason: "no-time", next };
  return { ok: true, start, end: Math.min(asked, next) };
}

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

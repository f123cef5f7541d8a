/**
 * The instants a booking holds a room: one slot per occurrence (one for a single booking). Instants are
 * epoch milliseconds in UTC; `key` names the occurrence (its original start, ISO 8601 UTC) so one
 * occurrence can be moved or cancelled without touching the others.
 */
export interface Slot {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** Half-open intervals [start, end) overlap when each starts before the other ends. */
export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The first pair (a from `left`, b from `right`) that overlaps, if any. Both lists any order. */
export function firstOverlap<
  A extends { start: number; end: number },
  B extends { start: number; end: number },
>(left: readonly A[], right: readonly B[]): { readonly a: A; readonly b: B } | undefined {
  const l = [...left].sort((x, y) => x.start - y.start);
  const r = [...right].sort((x, y) => x.start - y.start);
  let j = 0;
  for (const a of l) {
    while (j < r.length && (r[j] as B).end <= a.start) j++;
    for (let k = j; k < r.length && (r[k] as B).start < a.end; k++) {
      const b = r[k] as B;
      if (overlaps(a, b)) return { a, b };
    }
  }
  return undefined;
}

const DAY_MS = 86_400_000;

/** The UTC days (YYYY-MM-DD) a slot touches: the keys of the per-room-day index. */
export function utcDaysOf(slot: { start: number; end: number }): string[] {
  const days: string[] = [];
  const first = Math.floor(slot.start / DAY_MS);
  const last = Math.floor((Math.max(slot.end, slot.start + 1) - 1) / DAY_MS);
  for (let d = first; d <= last; d++) days.push(new Date(d * DAY_MS).toISOString().slice(0, 10));
  return days;
}

/** Slots grouped by the UTC days they touch (a slot over midnight is in both days). */
export function slotsByDay<S extends { start: number; end: number }>(slots: readonly S[]): Map<string, S[]> {
  const byDay = new Map<string, S[]>();
  for (const s of slots) {
    for (const day of utcDaysOf(s)) {
      const list = byDay.get(day);
      if (list === undefined) byDay.set(day, [s]);
      else list.push(s);
    }
  }
  return byDay;
}

/** The UTC days from `from` to `to` (exclusive end), for reading a range of the index. */
export function utcDaysBetween(from: number, to: number): string[] {
  return utcDaysOf({ start: from, end: to });
}

import type { Booking } from "./booking";
import { expandSeries, noExceptions } from "./recurrence";

/**
 * The outbox of a series' single-occurrence changes. Cancelling or moving one occurrence saves, in the
 * same write as the change itself, an entry saying Microsoft 365 still owes it: the occurrence key
 * (its original start) and the booking version that made the change. The entry names no action: what
 * is owed is read from the booking when the change is made (cancelled → cancel the occurrence; moved →
 * put it at its current time), so a later change of the same occurrence simply replaces the entry and
 * the calendar gets the latest state once. The consumer removes an entry only if it is still the one
 * it acted on; the recovery sweep queues the command again for entries left behind.
 */
export interface OwedOccurrence {
  /** The occurrence key: its original start, ISO 8601 UTC with milliseconds. */
  readonly key: string;
  /** The booking version whose change of this occurrence is owed. */
  readonly version: number;
}

export type OccurrenceAction =
  | { readonly kind: "cancel"; readonly key: string; readonly at?: { start: number; end: number } }
  | { readonly kind: "move"; readonly key: string; readonly to: { start: number; end: number } };

/** The booking with `key` owed at `version` (an entry for the same key is replaced). */
export function oweOccurrence<B extends Pick<Booking, "occurrencesOwed">>(
  b: B,
  key: string,
  version: number,
): B {
  const others = (b.occurrencesOwed ?? []).filter((o) => o.key !== key);
  return { ...b, occurrencesOwed: [...others, { key, version }] };
}

/**
 * The booking without the entry `owed`, if that entry is still there unchanged (a newer change of the
 * same occurrence stays owed); undefined when there is nothing to remove.
 */
export function settleOccurrence<B extends Pick<Booking, "occurrencesOwed">>(
  b: B,
  owed: OwedOccurrence,
): B | undefined {
  const list = b.occurrencesOwed ?? [];
  if (!list.some((o) => o.key === owed.key && o.version === owed.version)) return undefined;
  return withOwed(
    b,
    list.filter((o) => o.key !== owed.key || o.version !== owed.version),
  );
}

/** The booking owing no occurrence change (a whole-series cancel or a final state covers them all). */
export function settleAllOccurrences<B extends Pick<Booking, "occurrencesOwed">>(b: B): B {
  return withOwed(b, []);
}

function withOwed<B extends Pick<Booking, "occurrencesOwed">>(b: B, list: readonly OwedOccurrence[]): B {
  if (list.length > 0) return { ...b, occurrencesOwed: list };
  const { occurrencesOwed: _none, ...rest } = b;
  return rest as B;
}

/** The entry owed for `key`, if any. */
export const owedEntry = (b: Pick<Booking, "occurrencesOwed">, key: string): OwedOccurrence | undefined =>
  (b.occurrencesOwed ?? []).find((o) => o.key === key);

/**
 * What the calendar must be told about occurrence `key` now: cancelled wins over moved (a moved
 * occurrence that was then cancelled is cancelled where it now is); neither is nothing to do.
 */
export function occurrenceAction(b: Pick<Booking, "exceptions">, key: string): OccurrenceAction | undefined {
  const moved = b.exceptions.moved.find((m) => m.key === key);
  if (b.exceptions.cancelled.includes(key))
    return {
      kind: "cancel",
      key,
      ...(moved === undefined ? {} : { at: { start: moved.start, end: moved.end } }),
    };
  if (moved !== undefined) return { kind: "move", key, to: { start: moved.start, end: moved.end } };
  return undefined;
}

/**
 * The booking owing, at `version`, every occurrence change of its series again. A write of the whole
 * series (its time, subject, attendees) may make Exchange drop the series' exceptions, as Outlook
 * does when a series' time changes: once the write is done, each cancelled or moved occurrence that
 * still belongs to the series is written again. Keys the series no longer has (its time changed) are
 * left out: ONES drops them too.
 */
export function oweAllOccurrences<
  B extends Pick<Booking, "occurrencesOwed" | "exceptions" | "recurrence" | "start" | "end" | "timeZone">,
>(b: B, version: number): B {
  if (b.recurrence === undefined) return b;
  const series = new Set(
    expandSeries({
      start: b.start,
      end: b.end,
      timeZone: b.timeZone,
      recurrence: b.recurrence,
      exceptions: noExceptions,
    }).map((s) => s.key),
  );
  const keys = [...b.exceptions.cancelled, ...b.exceptions.moved.map((m) => m.key)].filter((k) =>
    series.has(k),
  );
  return keys.reduce((acc, key) => oweOccurrence(acc, key, version), b);
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  occurrenceAction,
  oweAllOccurrences,
  oweOccurrence,
  settleAllOccurrences,
  settleOccurrence,
  type OwedOccurrence,
} from "../../../shared/domain/bookings/owed-occurrences";
import type { SeriesExceptions } from "../../../shared/domain/bookings/recurrence";

const ms = (iso: string): number => Date.parse(iso);
const key = (iso: string): string => new Date(iso).toISOString();

/** A weekly Tuesday series of three, 09:00-10:00 UTC, from 2 February 2027. */
const series = (exceptions: SeriesExceptions, occurrencesOwed?: readonly OwedOccurrence[]) => ({
  start: ms("2027-02-02T09:00:00Z"),
  end: ms("2027-02-02T10:00:00Z"),
  timeZone: "UTC",
  recurrence: {
    pattern: { type: "weekly" as const, interval: 1, daysOfWeek: ["tuesday" as const] },
    range: { type: "numbered" as const, numberOfOccurrences: 3 },
  },
  exceptions,
  ...(occurrencesOwed === undefined ? {} : { occurrencesOwed }),
});

describe("the occurrence outbox", () => {
  it("owes one entry per occurrence, the latest change replacing an earlier one", () => {
    const k = key("2027-02-09T09:00:00Z");
    const once = oweOccurrence(series({ cancelled: [], moved: [] }), k, 4);
    expect(once.occurrencesOwed).toEqual([{ key: k, version: 4 }]);
    expect(oweOccurrence(once, k, 6).occurrencesOwed).toEqual([{ key: k, version: 6 }]);
  });

  it("settles only the entry acted on: a newer change of the occurrence stays owed", () => {
    const k = key("2027-02-09T09:00:00Z");
    const b = series({ cancelled: [k], moved: [] }, [{ key: k, version: 6 }]);
    expect(settleOccurrence(b, { key: k, version: 5 })).toBeUndefined();
    const settled = settleOccurrence(b, { key: k, version: 6 });
    expect(settled).toBeDefined();
    expect(settled !== undefined && "occurrencesOwed" in settled).toBe(false);
    expect("occurrencesOwed" in settleAllOccurrences(b)).toBe(false);
  });

  it("reads what is owed from the booking: cancelled wins over moved", () => {
    const k = key("2027-02-09T09:00:00Z");
    const to = { start: ms("2027-02-11T14:00:00Z"), end: ms("2027-02-11T15:00:00Z") };
    expect(occurrenceAction(series({ cancelled: [], moved: [{ key: k, ...to }] }), k)).toEqual({
      kind: "move",
      key: k,
      to,
    });
    expect(occurrenceAction(series({ cancelled: [k], moved: [{ key: k, ...to }] }), k)).toEqual({
      kind: "cancel",
      key: k,
      at: to,
    });
    expect(occurrenceAction(series({ cancelled: [], moved: [] }), k)).toBeUndefined();
  });

  it("after a series write, owes again every exception the series still has, and no other", () => {
    const kept = key("2027-02-09T09:00:00Z");
    const movedKey = key("2027-02-16T09:00:00Z");
    const gone = key("2027-02-10T09:00:00Z");
    const b = series(
      {
        cancelled: [kept, gone],
        moved: [{ key: movedKey, start: ms("2027-02-17T09:00:00Z"), end: ms("2027-02-17T10:00:00Z") }],
      },
      [{ key: gone, version: 2 }],
    );
    expect(oweAllOccurrences(b, 7).occurrencesOwed).toEqual([
      { key: gone, version: 2 },
      { key: kept, version: 7 },
      { key: movedKey, version: 7 },
    ]);
    const single = { ...b, recurrence: undefined };
    expect(oweAllOccurrences(single, 7)).toBe(single);
  });

  it("whatever the order of changes and settlements, each occurrence is owed at most once, at its latest version", () => {
    const keys = [0, 1, 2].map((w) =>
      key(new Date(ms("2027-02-02T09:00:00Z") + w * 7 * 86_400_000).toISOString()),
    );
    const step = fc.oneof(
      fc.record({ kind: fc.constant("owe" as const), at: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant("settle" as const), at: fc.integer({ min: 0, max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let b = series({ cancelled: [], moved: [] });
        const latest = new Map<string, number>();
        let version = 1;
        for (const s of steps) {
          const k = keys[s.at] as string;
          if (s.kind === "owe") {
            version++;
            b = oweOccurrence(b, k, version);
            latest.set(k, version);
          } else {
            const v = latest.get(k);
            if (v === undefined) continue;
            b = settleOccurrence(b, { key: k, version: v }) ?? b;
            latest.delete(k);
          }
        }
        const owed = b.occurrencesOwed ?? [];
        expect(new Set(owed.map((o) => o.key)).size).toBe(owed.length);
        expect(Object.fromEntries(owed.map((o) => [o.key, o.version]))).toEqual(Object.fromEntries(latest));
      }),
    );
  });
});

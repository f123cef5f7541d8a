import { describe, expect, it } from "vitest";
import {
  checkInWindow,
  occurrenceActions,
  releaseDue,
  type DeviceRules,
} from "../../../shared/domain/displays/actions";
import { dueQueued, offeredActions, QUEUE_TTL_MS } from "../../../web/display/state";

const rules: DeviceRules = {
  checkInRequired: true,
  checkInBeforeMinutes: 10,
  checkInGraceMinutes: 15,
  pinRequired: false,
};
const MIN = 60_000;
const start = Date.parse("2027-03-01T09:00:00Z");
const meeting = { start, end: start + 60 * MIN, checkedIn: false };

describe("device action rules", () => {
  it("opens check-in 10 minutes before and closes it at start + grace, never after the end", () => {
    expect(checkInWindow(rules, meeting)).toEqual({ opens: start - 10 * MIN, closes: start + 15 * MIN });
    expect(checkInWindow(rules, { start, end: start + 5 * MIN })).toEqual({
      opens: start - 10 * MIN,
      closes: start + 5 * MIN,
    });
  });

  it("offers check-in in its window only, extend and end while the meeting runs", () => {
    expect(occurrenceActions(rules, meeting, start - 10 * MIN - 1)).toEqual([]);
    expect(occurrenceActions(rules, meeting, start - 10 * MIN)).toEqual(["check-in"]);
    expect(occurrenceActions(rules, meeting, start)).toEqual(["check-in", "extend", "end"]);
    expect(occurrenceActions(rules, meeting, start + 15 * MIN)).toEqual(["extend", "end"]);
    expect(occurrenceActions(rules, { ...meeting, checkedIn: true }, start)).toEqual(["extend", "end"]);
    expect(occurrenceActions(rules, meeting, start + 60 * MIN)).toEqual([]);
  });

  it("a release is due at start + grace exactly, for a required check-in not made, before the end", () => {
    expect(releaseDue(rules, meeting, start + 15 * MIN - 1)).toBe(false);
    expect(releaseDue(rules, meeting, start + 15 * MIN)).toBe(true);
    expect(releaseDue(rules, { ...meeting, checkedIn: true }, start + 15 * MIN)).toBe(false);
    expect(releaseDue({ ...rules, checkInRequired: false }, meeting, start + 15 * MIN)).toBe(false);
    expect(releaseDue(rules, meeting, start + 60 * MIN)).toBe(false);
  });
});

describe("the page's buttons and offline queue", () => {
  const snapshot = {
    type: "schedule" as const,
    roomId: "r@x",
    version: 3,
    generatedAt: new Date(start).toISOString(),
    items: [
      { id: "a|k", start: new Date(start).toISOString(), end: new Date(start + 60 * MIN).toISOString() },
    ],
    rules,
  };

  it("enables check-in, extend and end for the running meeting, book now only while free", () => {
    const running = offeredActions(snapshot, new Date(start + MIN));
    expect([running.checkIn?.id, running.extend?.id, running.end?.id, running.bookNow]).toEqual([
      "a|k",
      "a|k",
      "a|k",
      false,
    ]);
    expect(offeredActions(snapshot, new Date(start - 30 * MIN))).toEqual({ bookNow: true });
    const { rules: _r, ...old } = snapshot;
    expect(offeredActions(old, new Date(start + MIN))).toEqual({ bookNow: false });
  });

  it("sends queued actions up to 5 minutes old and drops older ones", () => {
    const fresh = { action: "check-in" as const, body: { itemId: "a|k" }, at: start };
    const stale = { action: "book-now" as const, body: { minutes: 30 }, at: start - QUEUE_TTL_MS - 1 };
    expect(dueQueued([fresh, stale], start)).toEqual({ send: [fresh], tooLate: [stale] });
  });
});

import { describe, expect, it } from "vitest";
import {
  checkInWindow,
  endedEarlyAt,
  occurrenceActions,
  releaseDue,
  walkInSlot,
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

  it("an ended meeting stops at the current minute; within its first minute at the current second", () => {
    expect(endedEarlyAt(meeting, start + 20 * MIN + 59_999)).toBe(start + 20 * MIN);
    expect(endedEarlyAt(meeting, start + MIN)).toBe(start + MIN);
    expect(endedEarlyAt(meeting, start + 20_400)).toBe(start + 20_000);
    expect(endedEarlyAt(meeting, start + 300)).toBe(start + 1_000);
  });

  it("a walk-in starts at the minute (or where a meeting stopped within it) and stops at the next meeting", () => {
    const at = start + 20 * MIN + 30_000;
    const ended = { start, end: start + 20 * MIN };
    const ofSeconds = { start, end: start + 20 * MIN + 10_000 };
    const next = { start: start + 40 * MIN, end: start + 60 * MIN };
    expect(walkInSlot([ended, next], at, 30)).toEqual({ ok: true, start: start + 20 * MIN, end: next.start });
    expect(walkInSlot([ofSeconds], at, 30)).toEqual({
      ok: true,
      start: ofSeconds.end,
      end: start + 50 * MIN,
    });
    expect(walkInSlot([ended], at, 5)).toEqual({ ok: true, start: start + 20 * MIN, end: start + 25 * MIN });
    expect(walkInSlot([{ start, end: at + 1 }], at, 30)).toEqual({
      ok: false,
      reason: "in-use",
      until: at + 1,
    });
    expect(walkInSlot([{ start: start + 24 * MIN, end: start + 30 * MIN }], at, 30)).toEqual({
      ok: false,
      reason: "no-time",
      next: start + 24 * MIN,
    });
    expect(walkInSlot([{ start: start + 25 * MIN, end: start + 30 * MIN }], at, 30)).toEqual({
      ok: true,
      start: start + 20 * MIN,
      end: start + 25 * MIN,
    });
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
    expect(offeredActions(snapshot, new Date(start + 60 * MIN))).toEqual({ bookNow: true });
    const { rules: _r, ...old } = snapshot;
    expect(offeredActions(old, new Date(start + MIN))).toEqual({ bookNow: false });
  });

  it("sends queued actions up to 5 minutes old and drops older ones", () => {
    const fresh = { action: "check-in" as const, body: { itemId: "a|k" }, at: start };
    const stale = { action: "book-now" as const, body: { minutes: 30 }, at: start - QUEUE_TTL_MS - 1 };
    expect(dueQueued([fresh, stale], start)).toEqual({ send: [fresh], tooLate: [stale] });
  });
});

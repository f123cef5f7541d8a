import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { roomOffsetMs } from "../../../shared/app/calendar/poll-schedule";
import { parseSettings } from "../../../shared/config";
import { schedulePeriodMs } from "../../../shared/domain/calendar/poll-schedule";

describe("the calendar-poll interval", () => {
  it.each([
    ["0 */1 * * * *", 60_000],
    ["0 * * * * *", 60_000],
    ["*/5 * * * * *", 5_000],
    ["* * * * * *", 1_000],
    ["0 */15 * * * *", 900_000],
    ["0 0 */2 * * *", 7_200_000],
  ])("%s is a period of %i ms", (schedule, ms) => {
    expect(schedulePeriodMs(schedule)).toBe(ms);
  });

  it.each(["0 1,31 * * * *", "0 */7 * * * *", "*/5 */2 * * * *", "0 0 9 * * 1-5", "0 */1 * * *"])(
    "%s is not regular",
    (schedule) => {
      expect(schedulePeriodMs(schedule)).toBeUndefined();
    },
  );

  it("refuses an irregular CALENDAR_POLL_SCHEDULE by name", () => {
    const { CALENDAR_POLL_SCHEDULE: _default, ...base } = (
      JSON.parse(readFileSync("local.settings.example.json", "utf8")) as { Values: Record<string, string> }
    ).Values;
    expect(() => parseSettings({ ...base, CALENDAR_POLL_SCHEDULE: "0 0 9 * * 1-5" })).toThrow(
      /^Invalid app settings: CALENDAR_POLL_SCHEDULE: a regular schedule/,
    );
    expect(parseSettings(base).CALENDAR_POLL_SCHEDULE).toBe("0 */1 * * * *");
  });

  it("spreads rooms over the span, each at a fixed offset", () => {
    const offsets = Array.from({ length: 200 }, (_, i) => roomOffsetMs(`room-${i}@contoso.example`, 48_000));
    expect(offsets.every((o) => o >= 0 && o < 48_000)).toBe(true);
    expect(roomOffsetMs("room-7@contoso.example", 48_000)).toBe(offsets[7]);
    // Every fifth of the span gets rooms.
    const fifths = new Set(offsets.map((o) => Math.floor(o / 9_600)));
    expect([...fifths].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(roomOffsetMs("room-1@contoso.example", 0)).toBe(0);
  });
});

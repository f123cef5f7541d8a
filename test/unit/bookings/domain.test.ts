import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookingEditSchema, newBookingSchema } from "../../../shared/domain/bookings/booking";
import {
  cutoffRefusal,
  evaluatePolicy,
  isOvernight,
  policyRefused,
  type PolicyRequest,
} from "../../../shared/domain/bookings/evaluate";
import { defaultPolicy, policyRulesSchema, type BookingPolicy } from "../../../shared/domain/bookings/policy";
import { expandSeries, type Recurrence } from "../../../shared/domain/bookings/recurrence";
import { displayWindow, visibleParts } from "../../../shared/domain/bookings/schedule";
import { firstOverlap, overlaps, slotsByDay, utcDaysOf } from "../../../shared/domain/bookings/slots";
import { AppError } from "../../../shared/domain/errors";
import { toIanaZone, toWindowsZone } from "../../../shared/domain/rooms/time-zones";

const ms = (iso: string): number => Date.parse(iso);
const isoList = (slots: { start: number }[]): string[] => slots.map((s) => new Date(s.start).toISOString());
const AMS = "Europe/Amsterdam";

function series(
  start: string,
  end: string,
  recurrence: Recurrence,
  zone = AMS,
  exceptions?: Parameters<typeof expandSeries>[0]["exceptions"],
) {
  return expandSeries({
    start: ms(start),
    end: ms(end),
    timeZone: zone,
    recurrence,
    ...(exceptions ? { exceptions } : {}),
  });
}

describe("recurrence", () => {
  it("keeps a weekly 09:00 meeting at 09:00 local across the October DST change", () => {
    const slots = series("2026-10-19T07:00:00Z", "2026-10-19T08:00:00Z", {
      pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] },
      range: { type: "numbered", numberOfOccurrences: 3 },
    });
    // CEST (UTC+2) until 25 October, CET (UTC+1) after: 09:00 local is 07:00Z, then 08:00Z.
    expect(isoList(slots)).toEqual([
      "2026-10-19T07:00:00.000Z",
      "2026-10-26T08:00:00.000Z",
      "2026-11-02T08:00:00.000Z",
    ]);
    expect(slots.map((s) => s.end - s.start)).toEqual([3_600_000, 3_600_000, 3_600_000]);
  });

  it("expands daily with an interval up to an inclusive end date, across the March change", () => {
    const slots = series("2027-03-26T09:00:00Z", "2027-03-26T09:30:00Z", {
      pattern: { type: "daily", interval: 2 },
      range: { type: "endDate", endDate: "2027-03-31" },
    });
    expect(isoList(slots)).toEqual([
      "2027-03-26T09:00:00.000Z",
      "2027-03-28T08:00:00.000Z",
      "2027-03-30T08:00:00.000Z",
    ]);
  });

  it("weekly on several days, every second week, starting mid-week", () => {
    const slots = series("2026-12-02T13:00:00Z", "2026-12-02T14:00:00Z", {
      pattern: { type: "weekly", interval: 2, daysOfWeek: ["monday", "wednesday"], firstDayOfWeek: "monday" },
      range: { type: "numbered", numberOfOccurrences: 4 },
    });
    expect(isoList(slots)).toEqual([
      "2026-12-02T13:00:00.000Z",
      "2026-12-14T13:00:00.000Z",
      "2026-12-16T13:00:00.000Z",
      "2026-12-28T13:00:00.000Z",
    ]);
  });

  it("absolute monthly skips months without the day; relative monthly finds the last Friday", () => {
    const abs = series(
      "2027-01-31T10:00:00Z",
      "2027-01-31T11:00:00Z",
      {
        pattern: { type: "absoluteMonthly", interval: 1, dayOfMonth: 31 },
        range: { type: "numbered", numberOfOccurrences: 3 },
      },
      "UTC",
    );
    expect(isoList(abs)).toEqual([
      "2027-01-31T10:00:00.000Z",
      "2027-03-31T10:00:00.000Z",
      "2027-05-31T10:00:00.000Z",
    ]);
    const rel = series(
      "2026-12-25T10:00:00Z",
      "2026-12-25T11:00:00Z",
      {
        pattern: { type: "relativeMonthly", interval: 1, daysOfWeek: ["friday"], index: "last" },
        range: { type: "numbered", numberOfOccurrences: 3 },
      },
      "UTC",
    );
    expect(isoList(rel)).toEqual([
      "2026-12-25T10:00:00.000Z",
      "2027-01-29T10:00:00.000Z",
      "2027-02-26T10:00:00.000Z",
    ]);
  });

  it("yearly patterns (absolute and relative) within the cap", () => {
    const abs = series(
      "2026-12-10T10:00:00Z",
      "2026-12-10T11:00:00Z",
      {
        pattern: { type: "absoluteYearly", interval: 1, dayOfMonth: 10, month: 12 },
        range: { type: "endDate", endDate: "2027-12-10" },
      },
      "UTC",
    );
    expect(isoList(abs)).toEqual(["2026-12-10T10:00:00.000Z", "2027-12-10T10:00:00.000Z"]);
    const rel = series(
      "2026-12-07T10:00:00Z",
      "2026-12-07T11:00:00Z",
      {
        pattern: { type: "relativeYearly", interval: 1, daysOfWeek: ["monday"], index: "first", month: 12 },
        range: { type: "numbered", numberOfOccurrences: 1 },
      },
      "UTC",
    );
    expect(isoList(rel)).toEqual(["2026-12-07T10:00:00.000Z"]);
  });

  it("drops a cancelled occurrence and moves another", () => {
    const slots = series(
      "2026-10-19T07:00:00Z",
      "2026-10-19T08:00:00Z",
      {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] },
        range: { type: "numbered", numberOfOccurrences: 3 },
      },
      AMS,
      {
        cancelled: ["2026-10-26T08:00:00.000Z"],
        moved: [
          {
            key: "2026-11-02T08:00:00.000Z",
            start: ms("2026-11-03T09:00:00Z"),
            end: ms("2026-11-03T10:00:00Z"),
          },
        ],
      },
    );
    expect(slots).toEqual([
      { key: "2026-10-19T07:00:00.000Z", start: ms("2026-10-19T07:00:00Z"), end: ms("2026-10-19T08:00:00Z") },
      { key: "2026-11-02T08:00:00.000Z", start: ms("2026-11-03T09:00:00Z"), end: ms("2026-11-03T10:00:00Z") },
    ]);
  });

  it("refuses years-long series (end date and count) as validation failures", () => {
    const tooLong = () =>
      series("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", {
        pattern: { type: "daily", interval: 1 },
        range: { type: "endDate", endDate: "2029-12-01" },
      });
    expect(tooLong).toThrowError(AppError);
    try {
      tooLong();
    } catch (e) {
      expect((e as AppError).code).toBe("validation-failed");
    }
    const yearly = () =>
      series("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", {
        pattern: { type: "absoluteYearly", interval: 1, dayOfMonth: 1, month: 12 },
        range: { type: "numbered", numberOfOccurrences: 5 },
      });
    expect(yearly).toThrowError(/at most 366 days/);
    expect(() =>
      series("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", {
        pattern: { type: "daily", interval: 1 },
        range: { type: "numbered", numberOfOccurrences: 401 },
      }),
    ).toThrowError(/1 to 400/);
  });

  it("property: every occurrence of a daily series starts at the same local time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 364 }), fc.integer({ min: 1, max: 40 }), (dayOffset, count) => {
        const start = ms("2026-01-01T08:15:00Z") + dayOffset * 86_400_000;
        const slots = expandSeries({
          start,
          end: start + 1_800_000,
          timeZone: AMS,
          recurrence: {
            pattern: { type: "daily", interval: 1 },
            range: { type: "numbered", numberOfOccurrences: count },
          },
        });
        const times = new Set(
          slots.map((s) =>
            new Intl.DateTimeFormat("en-GB", { timeZone: AMS, hour: "2-digit", minute: "2-digit" }).format(
              s.start,
            ),
          ),
        );
        return slots.length === count && times.size === 1;
      }),
      { numRuns: 60 },
    );
  });
});

describe("slots", () => {
  it("half-open overlap, first overlap, UTC days", () => {
    expect(overlaps({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(false);
    expect(overlaps({ start: 0, end: 11 }, { start: 10, end: 20 })).toBe(true);
    expect(
      firstOverlap(
        [
          { start: 30, end: 40 },
          { start: 0, end: 5 },
        ],
        [{ start: 35, end: 50 }],
      ),
    ).toEqual({
      a: { start: 30, end: 40 },
      b: { start: 35, end: 50 },
    });
    expect(utcDaysOf({ start: ms("2026-12-01T23:00:00Z"), end: ms("2026-12-02T01:00:00Z") })).toEqual([
      "2026-12-01",
      "2026-12-02",
    ]);
    expect(utcDaysOf({ start: ms("2026-12-01T23:00:00Z"), end: ms("2026-12-02T00:00:00Z") })).toEqual([
      "2026-12-01",
    ]);
    expect([
      ...slotsByDay([
        { key: "a", start: ms("2026-12-01T10:00:00Z"), end: ms("2026-12-01T11:00:00Z") },
      ]).keys(),
    ]).toEqual(["2026-12-01"]);
  });
});

const now = ms("2026-12-01T08:00:00Z");
function request(over: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    roomId: "room-1@contoso.example",
    roomCount: 1,
    timeZone: AMS,
    occurrences: [{ key: "k", start: ms("2026-12-02T09:00:00Z"), end: ms("2026-12-02T10:00:00Z") }],
    recurring: false,
    isAllDay: false,
    requester: { userId: "u1", groups: ["g-staff"] },
    onBehalf: false,
    termsAccepted: false,
    fields: {},
    organizerBusy: [],
    now,
    ...over,
  };
}
const policy = (rules: Record<string, unknown>): BookingPolicy => ({
  ...policyRulesSchema.parse({ name: "P", ...rules }),
  id: "p",
  roomIds: [],
  updatedAt: new Date(0).toISOString(),
});
const rulesOf = (p: BookingPolicy, r: PolicyRequest) => evaluatePolicy(p, r).map((x) => [x.rule, x.limit]);

describe("policy evaluation", () => {
  it("the default policy allows an ordinary booking", () => {
    expect(evaluatePolicy(defaultPolicy(), request())).toEqual([]);
  });

  it("refuses each rule by name with its limit", () => {
    expect(
      rulesOf(
        defaultPolicy(),
        request({ occurrences: [{ key: "k", start: now - 60_000, end: now + 60_000 }] }),
      ),
    ).toEqual([["start-in-past", new Date(now).toISOString()]]);
    expect(rulesOf(policy({ allowedGroups: ["g-board"] }), request())).toEqual([
      ["who-may-book", ["g-board"]],
    ]);
    expect(rulesOf(policy({}), request({ onBehalf: true }))).toEqual([["book-for-others", false]]);
    expect(rulesOf(policy({ bookingAdmins: { groups: ["g-staff"] } }), request({ onBehalf: true }))).toEqual(
      [],
    );
    expect(rulesOf(policy({ termsOfUse: "Leave it tidy." }), request())).toEqual([["terms-of-use", true]]);
    expect(rulesOf(policy({ termsOfUse: "Leave it tidy." }), request({ termsAccepted: true }))).toEqual([]);
    expect(rulesOf(policy({ allowMultiRoom: false }), request({ roomCount: 2 }))).toEqual([
      ["multi-room", false],
    ]);
    expect(rulesOf(policy({ allowRecurring: false }), request({ recurring: true }))).toEqual([
      ["recurring", false],
    ]);
    expect(rulesOf(policy({ allowAllDay: false }), request({ isAllDay: true }))).toEqual([
      ["all-day", false],
    ]);
    const overnight = [{ key: "k", start: ms("2026-12-02T20:00:00Z"), end: ms("2026-12-03T02:00:00Z") }];
    expect(rulesOf(policy({ allowOvernight: false }), request({ occurrences: overnight }))).toEqual([
      ["overnight", false],
    ]);
    expect(rulesOf(policy({ minDurationMinutes: 90 }), request())).toEqual([["min-duration", 90]]);
    expect(rulesOf(policy({ maxDurationMinutes: 30 }), request())).toEqual([["max-duration", 30]]);
    expect(
      rulesOf(
        policy({ bookingWindowDays: 1 }),
        request({
          occurrences: [{ key: "k", start: now + 2 * 86_400_000, end: now + 2 * 86_400_000 + 3_600_000 }],
        }),
      ),
    ).toEqual([["booking-window", 1]]);
    expect(
      rulesOf(
        policy({ organizerOverlap: "any-room" }),
        request({ organizerBusy: [{ start: ms("2026-12-02T09:30:00Z"), end: ms("2026-12-02T11:00:00Z") }] }),
      ),
    ).toEqual([["organizer-overlap", "any-room"]]);
  });

  it("business hours in the room's zone: 10:00-11:00 Amsterdam is in, 17:30-18:30 and Saturday are out", () => {
    const p = policy({
      businessHours: {
        days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
        start: "08:00",
        end: "18:00",
      },
    });
    expect(rulesOf(p, request())).toEqual([]);
    const late = [{ key: "k", start: ms("2026-12-02T16:30:00Z"), end: ms("2026-12-02T17:30:00Z") }];
    expect(rulesOf(p, request({ occurrences: late }))).toEqual([
      ["business-hours", "monday,tuesday,wednesday,thursday,friday 08:00-18:00"],
    ]);
    const saturday = [{ key: "k", start: ms("2026-12-05T09:00:00Z"), end: ms("2026-12-05T10:00:00Z") }];
    expect(evaluatePolicy(p, request({ occurrences: saturday }))[0]?.rule).toBe("business-hours");
  });

  it("form fields: required, number range, choices, unknown fields", () => {
    const p = policy({
      formFields: [
        { id: "cost-centre", label: "Cost centre", type: "text", required: true },
        { id: "guests", label: "Guests", type: "number", min: 0, max: 10 },
        { id: "catering", label: "Catering", type: "choice", choices: ["none", "lunch"] },
      ],
    });
    const refusals = evaluatePolicy(p, request({ fields: { guests: 11, catering: "dinner", other: "x" } }));
    expect(refusals.map((r) => [r.field, r.limit])).toEqual([
      ["cost-centre", "required"],
      ["guests", 10],
      ["catering", ["none", "lunch"]],
      ["other", null],
    ]);
    expect(
      evaluatePolicy(p, request({ fields: { "cost-centre": "CC-1", guests: 3, catering: "lunch" } })),
    ).toEqual([]);
  });

  it("edit and cancel cut-offs, and the 422 problem carries rule and limit", () => {
    const p = policy({ editCutoffMinutes: 60, cancelCutoffMinutes: 15 });
    const start = now + 30 * 60_000;
    expect(cutoffRefusal(p, "edit", start, now)?.rule).toBe("edit-cutoff");
    expect(cutoffRefusal(p, "cancel", start, now)).toBeUndefined();
    const error = policyRefused([cutoffRefusal(p, "edit", start, now)!]);
    expect(error.code).toBe("policy-refused");
    expect(error.extra.extensions).toMatchObject({ rule: "edit-cutoff", limit: 60 });
  });

  it("overnight is judged in the room's zone", () => {
    // 22:30-23:30 UTC is 23:30-00:30 in Amsterdam.
    expect(isOvernight({ start: ms("2026-12-02T22:30:00Z"), end: ms("2026-12-02T23:30:00Z") }, AMS)).toBe(
      true,
    );
    expect(isOvernight({ start: ms("2026-12-02T22:30:00Z"), end: ms("2026-12-02T23:30:00Z") }, "UTC")).toBe(
      false,
    );
  });

  it("refuses inconsistent policies", () => {
    expect(
      policyRulesSchema.safeParse({ name: "x", minDurationMinutes: 60, maxDurationMinutes: 30 }).success,
    ).toBe(false);
    expect(policyRulesSchema.safeParse({ name: "x", approval: { required: true } }).success).toBe(false);
  });
});

describe("inputs, privacy and windows", () => {
  it("refuses end before start, duplicate rooms and unknown members", () => {
    const base = {
      roomIds: ["a@x.example"],
      start: "2026-12-02T10:00:00Z",
      end: "2026-12-02T11:00:00Z",
      subject: "S",
    };
    expect(newBookingSchema.safeParse(base).success).toBe(true);
    expect(newBookingSchema.safeParse({ ...base, end: "2026-12-02T09:00:00Z" }).success).toBe(false);
    expect(newBookingSchema.safeParse({ ...base, roomIds: ["a@x.example", "A@x.example"] }).success).toBe(
      false,
    );
    expect(newBookingSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(bookingEditSchema.safeParse({ occurrence: "2026-12-02T10:00:00Z", subject: "no" }).success).toBe(
      false,
    );
  });

  it("privacy reduces what others see", () => {
    expect(visibleParts("subject", "Board", "Ann")).toEqual({ subject: "Board", organizer: "Ann" });
    expect(visibleParts("organizer", "Board", "Ann")).toEqual({ organizer: "Ann" });
    expect(visibleParts("busy", "Board", "Ann")).toEqual({});
  });

  it("the display window is today and tomorrow in the room's zone", () => {
    const w = displayWindow(ms("2026-10-24T23:30:00Z"), AMS); // 25 Oct 01:30 local, the DST day (25 h)
    expect(new Date(w.from).toISOString()).toBe("2026-10-24T22:00:00.000Z");
    expect(new Date(w.to).toISOString()).toBe("2026-10-26T23:00:00.000Z");
  });
});

describe("Windows zone names both ways", () => {
  it("maps IANA zones to the Windows names Graph takes, and back", () => {
    expect(toWindowsZone("Europe/Berlin")).toBe("W. Europe Standard Time");
    expect(toWindowsZone("Europe/Amsterdam")).toBe("W. Europe Standard Time");
    expect(toWindowsZone("America/New_York")).toBe("Eastern Standard Time");
    expect(toWindowsZone("Etc/UTC")).toBe("UTC");
    expect(toWindowsZone("Mars/Olympus")).toBeUndefined();
    expect(toIanaZone(toWindowsZone("Asia/Tokyo"))).toBe("Asia/Tokyo");
  });
});

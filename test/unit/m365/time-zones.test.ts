import { describe, expect, it } from "vitest";
import { formatLocal, ianaZone, localToUtc, partsInZone } from "../../../dev/m365/calendar/time-zones";
import { GraphError } from "../../../dev/m365/http/errors";

/** What the simulator's own Windows→IANA table answered before it moved to the windows-iana package. */
const PREVIOUS_TABLE: Record<string, string> = {
  UTC: "UTC",
  "Coordinated Universal Time": "UTC",
  "GMT Standard Time": "Europe/London",
  "Greenwich Standard Time": "Atlantic/Reykjavik",
  "W. Europe Standard Time": "Europe/Berlin",
  "Central Europe Standard Time": "Europe/Budapest",
  "Romance Standard Time": "Europe/Paris",
  "Central European Standard Time": "Europe/Warsaw",
  "E. Europe Standard Time": "Europe/Chisinau",
  "FLE Standard Time": "Europe/Kiev",
  "GTB Standard Time": "Europe/Bucharest",
  "Russian Standard Time": "Europe/Moscow",
  "Turkey Standard Time": "Europe/Istanbul",
  "Israel Standard Time": "Asia/Jerusalem",
  "South Africa Standard Time": "Africa/Johannesburg",
  "Arabian Standard Time": "Asia/Dubai",
  "India Standard Time": "Asia/Calcutta",
  "China Standard Time": "Asia/Shanghai",
  "Singapore Standard Time": "Asia/Singapore",
  "Tokyo Standard Time": "Asia/Tokyo",
  "Korea Standard Time": "Asia/Seoul",
  "AUS Eastern Standard Time": "Australia/Sydney",
  "New Zealand Standard Time": "Pacific/Auckland",
  "Eastern Standard Time": "America/New_York",
  "Central Standard Time": "America/Chicago",
  "Mountain Standard Time": "America/Denver",
  "US Mountain Standard Time": "America/Phoenix",
  "Pacific Standard Time": "America/Los_Angeles",
  "Alaskan Standard Time": "America/Anchorage",
  "Hawaiian Standard Time": "Pacific/Honolulu",
  "Atlantic Standard Time": "America/Halifax",
  "E. South America Standard Time": "America/Sao_Paulo",
  "Canada Central Standard Time": "America/Regina",
};

/** Wall-clock parts straight from Intl, without the simulator's offset cache. */
function intlParts(ms: number, zone: string) {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const o: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== "literal") o[p.type] = Number(p.value);
  return { year: o.year, month: o.month, day: o.day, hour: o.hour, minute: o.minute, second: o.second };
}

describe("simulator time zones (windows-iana)", () => {
  it("maps every Windows name of the previous table to the same IANA zone, case-insensitively", () => {
    for (const [win, iana] of Object.entries(PREVIOUS_TABLE)) {
      expect(ianaZone(win)).toBe(iana);
      expect(ianaZone(win.toUpperCase())).toBe(iana);
    }
  });

  it("knows the rest of CLDR's Windows zones and still passes IANA names through", () => {
    expect(ianaZone("Dateline Standard Time")).toBe("Etc/GMT+12");
    expect(ianaZone("Nepal Standard Time")).toBe("Asia/Katmandu");
    expect(ianaZone("Europe/Amsterdam")).toBe("Europe/Amsterdam");
    expect(ianaZone("Etc/UTC")).toBe("UTC");
  });

  it("refuses unknown names with Graph's TimeZoneNotSupportedException", () => {
    let err: unknown;
    try {
      ianaZone("Mars Standard Time");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).status).toBe(400);
    expect((err as GraphError).code).toBe("TimeZoneNotSupportedException");
  });

  it("wall-clock parts equal Intl's around DST transitions (the offset cache never spans one)", () => {
    const cases: Array<[string, string]> = [
      ["Europe/Amsterdam", "2026-03-29T00:00:00Z"],
      ["Europe/Amsterdam", "2026-10-25T00:00:00Z"],
      ["America/Los_Angeles", "2026-03-08T09:00:00Z"],
      ["Australia/Lord_Howe", "2026-04-04T14:00:00Z"],
      ["Asia/Kathmandu", "2026-01-01T00:00:00Z"],
    ];
    for (const [zone, from] of cases) {
      const t0 = Date.parse(from);
      for (let ms = t0; ms < t0 + 4 * 3_600_000; ms += 7 * 60_000 + 13_000) {
        const { ms: _ms, ...parts } = partsInZone(ms, zone);
        expect(parts).toEqual(intlParts(ms, zone));
      }
    }
  });

  it("local times: 09:00 in Amsterdam is 08:00Z in winter and 07:00Z in summer; a gap moves forward", () => {
    const nine = (month: number, day: number) =>
      localToUtc({ year: 2026, month, day, hour: 9, minute: 0, second: 0, ms: 0 }, "W. Europe Standard Time");
    expect(new Date(nine(3, 27)).toISOString()).toBe("2026-03-27T08:00:00.000Z");
    expect(new Date(nine(3, 30)).toISOString()).toBe("2026-03-30T07:00:00.000Z");
    expect(formatLocal(Date.parse("2026-03-30T07:00:00Z"), "Europe/Amsterdam")).toBe(
      "2026-03-30T09:00:00.0000000",
    );
    const gap = localToUtc(
      { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0, ms: 0 },
      "Europe/Amsterdam",
    );
    expect(new Date(gap).toISOString()).toBe("2026-03-29T01:30:00.000Z");
  });
});

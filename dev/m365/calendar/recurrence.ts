import type { PatternedRecurrence } from "@microsoft/microsoft-graph-types";
import { GraphError } from "../http/errors";
import { localToUtc, partsInZone } from "./time-zones";

/**
 * Expands Graph's `patternedRecurrence` into occurrence start instants. The pattern is evaluated in the
 * series' time zone (`range.recurrenceTimeZone`, else the start's zone) on local dates, and every
 * occurrence keeps the master's wall-clock start time (so it stays at 09:00 across DST changes).
 */

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
const INDEX = ["first", "second", "third", "fourth", "last"] as const;
const DAY_MS = 86_400_000;
/** Hard stop for unbounded series (Outlook itself caps a noEnd series' expansion). */
const MAX_OCCURRENCES = 2000;

function dayNumber(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

function fromDayNumber(n: number): { year: number; month: number; day: number; dow: number } {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), dow: d.getUTCDay() };
}

function parseDate(s: string | null | undefined, what: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? "");
  if (!m)
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      `Your request can't be completed. The recurrence range ${what} is invalid.`,
    );
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The n-th (or last) given weekday in a month, as a day number, or undefined. */
function relativeDay(y: number, m: number, dows: number[], index: string): number | undefined {
  const candidates: number[] = [];
  for (let d = 1; d <= daysInMonth(y, m); d++) {
    const n = dayNumber(y, m, d);
    if (dows.includes(fromDayNumber(n).dow)) candidates.push(n);
  }
  if (index === "last") return candidates[candidates.length - 1];
  return candidates[INDEX.indexOf(index as (typeof INDEX)[number])];
}

/** Validates a recurrence as Graph does on create/update (400 on a malformed pattern or range). */
export function validateRecurrence(r: PatternedRecurrence): void {
  const p = r.pattern;
  const range = r.range;
  if (!p || !range)
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      "Your request can't be completed. The recurrence pattern and range are required.",
    );
  const types = ["daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"];
  if (!p.type || !types.includes(p.type))
    throw new GraphError(400, "BadRequest", `Requested value '${String(p.type)}' was not found.`);
  if ((p.interval ?? 1) < 1)
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      "Your request can't be completed. The recurrence interval must be at least 1.",
    );
  if (
    ["weekly", "relativeMonthly", "relativeYearly"].includes(p.type) &&
    !(p.daysOfWeek && p.daysOfWeek.length > 0)
  ) {
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      "Your request can't be completed. DaysOfWeek is required for this recurrence pattern.",
    );
  }
  if (["absoluteMonthly", "absoluteYearly"].includes(p.type) && !p.dayOfMonth) {
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      "Your request can't be completed. DayOfMonth is required for this recurrence pattern.",
    );
  }
  if (!range.type || !["endDate", "noEnd", "numbered"].includes(range.type))
    throw new GraphError(400, "BadRequest", `Requested value '${String(range.type)}' was not found.`);
  parseDate(range.startDate, "startDate");
  if (range.type === "endDate") parseDate(range.endDate, "endDate");
  if (range.type === "numbered" && !((range.numberOfOccurrences ?? 0) > 0)) {
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      "Your request can't be completed. numberOfOccurrences must be greater than 0.",
    );
  }
}

/**
 * Occurrence start instants of a series whose first start is `masterStartMs` in `zone`, in [from, to)
 * by start (pass -Infinity/Infinity for all; unbounded series stop after MAX_OCCURRENCES).
 */
export function expandRecurrence(
  r: PatternedRecurrence,
  masterStartMs: number,
  zone: string,
  from: number,
  to: number,
): number[] {
  const p = r.pattern ?? {};
  const range = r.range ?? {};
  const tz = range.recurrenceTimeZone || zone;
  const t = partsInZone(masterStartMs, tz);
  const start = range.startDate ? parseDate(range.startDate, "startDate") : dayNumber(t.year, t.month, t.day);
  const end = range.type === "endDate" ? parseDate(range.endDate, "endDate") : Number.POSITIVE_INFINITY;
  const count = range.type === "numbered" ? (range.numberOfOccurrences ?? 1) : Number.POSITIVE_INFINITY;
  const interval = Math.max(1, p.interval ?? 1);
  const dows = (p.daysOfWeek ?? []).map((d) => DAYS.indexOf(d)).filter((d) => d >= 0);
  const out: number[] = [];
  let produced = 0;
  const instant = (dayNo: number): number => {
    const d = fromDayNumber(dayNo);
    return localToUtc(
      { year: d.year, month: d.month, day: d.day, hour: t.hour, minute: t.minute, second: t.second, ms: 0 },
      tz,
    );
  };
  // Returns false to stop.
  const emit = (dayNo: number): boolean => {
    if (dayNo < start) return true;
    if (dayNo > end || produced >= count || produced >= MAX_OCCURRENCES) return false;
    produced++;
    const ms = instant(dayNo);
    if (ms >= to) return false;
    if (ms >= from) out.push(ms);
    return true;
  };
  const s = fromDayNumber(start);
  switch (p.type) {
    case "daily":
      for (let n = start; ; n += interval) if (!emit(n)) break;
      break;
    case "weekly": {
      const first = DAYS.indexOf(p.firstDayOfWeek ?? "sunday");
      const weekStart = start - ((s.dow - first + 7) % 7);
      const order = [...dows].sort((a, b) => ((a - first + 7) % 7) - ((b - first + 7) % 7));
      outer: for (let w = weekStart; ; w += 7 * interval) {
        for (const dow of order) if (!emit(w + ((dow - first + 7) % 7))) break outer;
        if (w > end) break;
      }
      break;
    }
    case "absoluteMonthly":
    case "relativeMonthly":
    case "absoluteYearly":
    case "relativeYearly": {
      const yearly = p.type.endsWith("Yearly");
      let y = s.year;
      let m = yearly ? (p.month ?? s.month) : s.month;
      for (let i = 0; i < 100_000; i++) {
        let dayNo: number | undefined;
        if (p.type.startsWith("absolute")) {
          const dom = p.dayOfMonth ?? s.day;
          dayNo = dom <= daysInMonth(y, m) ? dayNumber(y, m, dom) : undefined;
        } else dayNo = relativeDay(y, m, dows, p.index ?? "first");
        if (dayNo !== undefined && !emit(dayNo)) break;
        if (dayNumber(y, m, 1) > end) break;
        if (yearly) y += interval;
        else {
          m += interval;
          while (m > 12) {
            m -= 12;
            y++;
          }
        }
      }
      break;
    }
    default:
      break;
  }
  return out;
}

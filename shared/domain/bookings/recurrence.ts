import { Temporal } from "temporal-polyfill";
import { AppError } from "../errors";
import type { Slot } from "./slots";

/**
 * Recurrence as Microsoft Graph describes it (patternedRecurrence): a pattern and a range. Dates are
 * calendar dates and times are wall-clock times in the room's IANA zone, so a 09:00 weekly meeting stays
 * at 09:00 on both sides of a daylight-saving change; the instants are computed with Temporal.
 */
export const daysOfWeek = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type DayOfWeek = (typeof daysOfWeek)[number];

export const weekIndexes = ["first", "second", "third", "fourth", "last"] as const;
export type WeekIndex = (typeof weekIndexes)[number];

export const patternTypes = [
  "daily",
  "weekly",
  "absoluteMonthly",
  "relativeMonthly",
  "absoluteYearly",
  "relativeYearly",
] as const;
export type PatternType = (typeof patternTypes)[number];

export interface RecurrencePattern {
  readonly type: PatternType;
  /** Every `interval` days, weeks, months or years (1-99). */
  readonly interval: number;
  /** weekly, relativeMonthly, relativeYearly. */
  readonly daysOfWeek?: readonly DayOfWeek[];
  /** absoluteMonthly, absoluteYearly (1-31). */
  readonly dayOfMonth?: number;
  /** absoluteYearly, relativeYearly (1-12). */
  readonly month?: number;
  /** relativeMonthly, relativeYearly; `first` when omitted. */
  readonly index?: WeekIndex;
  /** weekly: the day weeks start on (Graph's default: sunday). */
  readonly firstDayOfWeek?: DayOfWeek;
}

/** When the series ends: on a date (inclusive) or after a number of occurrences. No open end. */
export type RecurrenceRange =
  | { readonly type: "endDate"; readonly endDate: string }
  | { readonly type: "numbered"; readonly numberOfOccurrences: number };

export interface Recurrence {
  readonly pattern: RecurrencePattern;
  readonly range: RecurrenceRange;
}

/** A moved occurrence: its original start (the occurrence key) and where it now is. */
export interface MovedOccurrence {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

export interface SeriesExceptions {
  /** Keys (original starts) of cancelled occurrences. */
  readonly cancelled: readonly string[];
  readonly moved: readonly MovedOccurrence[];
}

export const noExceptions: SeriesExceptions = { cancelled: [], moved: [] };

/** A series may span at most this many days from its first occurrence, and hold this many occurrences. */
export const MAX_SERIES_DAYS = 366;
export const MAX_SERIES_OCCURRENCES = 400;

const dayNumber = (d: DayOfWeek): number => daysOfWeek.indexOf(d) + 1; // Temporal: monday = 1

function refuse(detail: string, path = "recurrence"): never {
  throw new AppError("validation-failed", detail, { fields: [{ path, message: detail }] });
}

/** Checks the pattern's own fields (the shape is checked at the edge). */
export function validateRecurrence(r: Recurrence): void {
  const p = r.pattern;
  if (!Number.isInteger(p.interval) || p.interval < 1 || p.interval > 99)
    refuse("The interval must be a whole number from 1 to 99.", "recurrence.pattern.interval");
  const needsDays = p.type === "weekly" || p.type === "relativeMonthly" || p.type === "relativeYearly";
  if (needsDays && (p.daysOfWeek === undefined || p.daysOfWeek.length === 0))
    refuse("This pattern needs at least one day of the week.", "recurrence.pattern.daysOfWeek");
  if ((p.type === "absoluteMonthly" || p.type === "absoluteYearly") && p.dayOfMonth === undefined)
    refuse("This pattern needs a day of the month.", "recurrence.pattern.dayOfMonth");
  if ((p.type === "absoluteYearly" || p.type === "relativeYearly") && p.month === undefined)
    refuse("This pattern needs a month.", "recurrence.pattern.month");
  if (r.range.type === "numbered") {
    const n = r.range.numberOfOccurrences;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SERIES_OCCURRENCES)
      refuse(
        `A series holds 1 to ${MAX_SERIES_OCCURRENCES} occurrences.`,
        "recurrence.range.numberOfOccurrences",
      );
  }
}

/** The candidate dates of the pattern from `startDate` on, in order (unbounded; the caller stops). */
function* candidateDates(p: RecurrencePattern, startDate: Temporal.PlainDate): Generator<Temporal.PlainDate> {
  const days = (p.daysOfWeek ?? []).map(dayNumber).sort((a, b) => a - b);
  switch (p.type) {
    case "daily":
      for (let k = 0; ; k++) yield startDate.add({ days: k * p.interval });
    case "weekly": {
      const first = dayNumber(p.firstDayOfWeek ?? "sunday");
      const offset = (startDate.dayOfWeek - first + 7) % 7;
      const weekStart = startDate.subtract({ days: offset });
      for (let w = 0; ; w++) {
        const ws = weekStart.add({ weeks: w * p.interval });
        const inWeek = days
          .map((d) => ws.add({ days: (d - first + 7) % 7 }))
          .sort((a, b) => Temporal.PlainDate.compare(a, b));
        for (const d of inWeek) if (Temporal.PlainDate.compare(d, startDate) >= 0) yield d;
      }
    }
    case "absoluteMonthly":
    case "relativeMonthly":
    case "absoluteYearly":
    case "relativeYearly": {
      const yearly = p.type === "absoluteYearly" || p.type === "relativeYearly";
      const stepMonths = yearly ? 12 * p.interval : p.interval;
      let ym = Temporal.PlainYearMonth.from({
        year: startDate.year,
        month: yearly ? (p.month ?? startDate.month) : startDate.month,
      });
      if (yearly && ym.month < startDate.month) ym = ym.add({ years: 1 });
      for (;;) {
        const dates =
          p.type === "absoluteMonthly" || p.type === "absoluteYearly"
            ? absoluteDay(ym, p.dayOfMonth ?? startDate.day)
            : relativeDays(ym, days, p.index ?? "first");
        for (const d of dates) if (Temporal.PlainDate.compare(d, startDate) >= 0) yield d;
        ym = ym.add({ months: stepMonths });
      }
    }
  }
}

/** The day of the month; months too short for it are skipped (as Outlook's "day 31" series do). */
function absoluteDay(ym: Temporal.PlainYearMonth, day: number): Temporal.PlainDate[] {
  return day <= ym.daysInMonth ? [ym.toPlainDate({ day })] : [];
}

/** "The first/second/…/last <days> of the month": one date, the earliest of the named days that week. */
function relativeDays(
  ym: Temporal.PlainYearMonth,
  days: readonly number[],
  index: WeekIndex,
): Temporal.PlainDate[] {
  const matching: Temporal.PlainDate[] = [];
  for (let day = 1; day <= ym.daysInMonth; day++) {
    const d = ym.toPlainDate({ day });
    if (days.includes(d.dayOfWeek)) matching.push(d);
  }
  if (matching.length === 0) return [];
  // Graph counts occurrences of the day set: with one day, "second Tuesday" is the second match.
  const pick = index === "last" ? matching[matching.length - 1] : matching[weekIndexes.indexOf(index)];
  return pick === undefined ? [] : [pick];
}

export interface SeriesInput {
  /** First occurrence's start and end (epoch ms); their wall-clock times in `timeZone` repeat. */
  readonly start: number;
  readonly end: number;
  readonly timeZone: string;
  readonly recurrence: Recurrence;
  readonly exceptions?: SeriesExceptions;
}

/** The wall-clock date and time of an instant in a zone. */
export function zoned(instant: number, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(timeZone);
}

/**
 * Expands a series to its occurrences, with cancelled ones left out and moved ones at their new times.
 * Occurrence keys are the original starts (ISO 8601 UTC). Refuses (validation-failed) a series past
 * the cap: more than MAX_SERIES_OCCURRENCES, or ending more than MAX_SERIES_DAYS after it starts.
 */
export function expandSeries(input: SeriesInput): Slot[] {
  validateRecurrence(input.recurrence);
  const first = zoned(input.start, input.timeZone);
  const durationMs = input.end - input.start;
  const startDate = first.toPlainDate();
  const time = first.toPlainTime();
  const limitDate = startDate.add({ days: MAX_SERIES_DAYS });
  const range = input.recurrence.range;
  let endDate: Temporal.PlainDate | undefined;
  if (range.type === "endDate") {
    try {
      endDate = Temporal.PlainDate.from(range.endDate, { overflow: "reject" });
    } catch {
      refuse("The end date is not a valid date (YYYY-MM-DD).", "recurrence.range.endDate");
    }
    if (Temporal.PlainDate.compare(endDate, startDate) < 0)
      refuse("The series ends before it starts.", "recurrence.range.endDate");
    if (Temporal.PlainDate.compare(endDate, limitDate) > 0)
      refuse(`A series may last at most ${MAX_SERIES_DAYS} days.`, "recurrence.range.endDate");
  }
  const count = range.type === "numbered" ? range.numberOfOccurrences : Number.POSITIVE_INFINITY;
  const out: Slot[] = [];
  for (const date of candidateDates(input.recurrence.pattern, startDate)) {
    if (out.length >= count) break;
    if (endDate !== undefined && Temporal.PlainDate.compare(date, endDate) > 0) break;
    if (Temporal.PlainDate.compare(date, limitDate) > 0)
      refuse(`A series may last at most ${MAX_SERIES_DAYS} days.`, "recurrence.range");
    if (out.length >= MAX_SERIES_OCCURRENCES)
      refuse(`A series holds at most ${MAX_SERIES_OCCURRENCES} occurrences.`, "recurrence.range");
    const start = date.toZonedDateTime({ timeZone: input.timeZone, plainTime: time }).epochMilliseconds;
    out.push({ key: new Date(start).toISOString(), start, end: start + durationMs });
  }
  return applyExceptions(out, input.exceptions ?? noExceptions);
}

/** Leaves out cancelled occurrences and puts moved ones at their new times (unknown keys are ignored). */
export function applyExceptions(slots: readonly Slot[], exceptions: SeriesExceptions): Slot[] {
  const cancelled = new Set(exceptions.cancelled);
  const moved = new Map(exceptions.moved.map((m) => [m.key, m]));
  return slots
    .filter((s) => !cancelled.has(s.key))
    .map((s) => {
      const m = moved.get(s.key);
      return m === undefined ? s : { key: s.key, start: m.start, end: m.end };
    });
}

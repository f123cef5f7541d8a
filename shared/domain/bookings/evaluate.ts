import { Temporal } from "temporal-polyfill";
import { AppError } from "../errors";
import type { BookingPolicy, FormField } from "./policy";
import { daysOfWeek } from "./recurrence";
import { firstOverlap, type Slot } from "./slots";

/** One rule that refuses a booking: the rule's name, its limit, and a sentence for people. */
export interface Refusal {
  readonly rule: PolicyRule;
  readonly limit: string | number | boolean | readonly string[] | null;
  readonly detail: string;
  /** The room whose policy refused (multi-room bookings). */
  readonly roomId?: string;
  /** The form field concerned (`form-field`). */
  readonly field?: string;
}

export const policyRules = [
  "start-in-past",
  "who-may-book",
  "book-for-others",
  "terms-of-use",
  "form-field",
  "multi-room",
  "recurring",
  "all-day",
  "overnight",
  "business-hours",
  "min-duration",
  "max-duration",
  "booking-window",
  "organizer-overlap",
  "edit-cutoff",
  "cancel-cutoff",
] as const;
export type PolicyRule = (typeof policyRules)[number];

export interface PolicyRequest {
  readonly roomId: string;
  readonly roomCount: number;
  readonly timeZone: string;
  /** Every occurrence (one for a single booking), after exceptions. */
  readonly occurrences: readonly Slot[];
  readonly recurring: boolean;
  readonly isAllDay: boolean;
  /** Who asks: their ONES user id and Entra groups. */
  readonly requester: { readonly userId: string; readonly groups: readonly string[] };
  /** True when booking for someone else. */
  readonly onBehalf: boolean;
  readonly termsAccepted: boolean;
  readonly fields: Readonly<Record<string, string | number>>;
  /** The organizer's other bookings in the policy's overlap scope (any room, or same-policy rooms). */
  readonly organizerBusy: readonly { readonly start: number; readonly end: number }[];
  readonly now: number;
}

const hhmm = (t: string): Temporal.PlainTime => Temporal.PlainTime.from(t === "24:00" ? "00:00" : t);

const local = (ms: number, zone: string): Temporal.ZonedDateTime =>
  Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);

/** Whether [start, end) crosses midnight in the zone (an all-day booking of one day does not). */
export function isOvernight(slot: { start: number; end: number }, zone: string): boolean {
  const a = local(slot.start, zone).toPlainDate();
  const b = local(slot.end - 1, zone).toPlainDate();
  return !a.equals(b);
}

const fmt = (ms: number, zone: string): string => {
  const z = local(ms, zone);
  return `${z.toPlainDate().toString()} ${z.toPlainTime().toString({ smallestUnit: "minute" })} (${zone})`;
};

/** Every rule of `policy` the request breaks (empty = allowed). Pure: the caller gathers the context. */
export function evaluatePolicy(policy: BookingPolicy, r: PolicyRequest): Refusal[] {
  const out: Refusal[] = [];
  const add = (rule: PolicyRule, limit: Refusal["limit"], detail: string, field?: string): void => {
    out.push({ rule, limit, detail, roomId: r.roomId, ...(field === undefined ? {} : { field }) });
  };
  const first = r.occurrences[0];
  if (first !== undefined && first.start < r.now)
    add("start-in-past", new Date(r.now).toISOString(), "A booking cannot start in the past.");

  if (policy.allowedGroups.length > 0 && !policy.allowedGroups.some((g) => r.requester.groups.includes(g)))
    add("who-may-book", policy.allowedGroups, "Only members of the groups this room allows may book it.");
  if (r.onBehalf) {
    const admins = policy.bookingAdmins;
    const isAdmin =
      admins.users.includes(r.requester.userId) || admins.groups.some((g) => r.requester.groups.includes(g));
    if (!isAdmin) add("book-for-others", false, "Only this room's booking admins may book for someone else.");
  }
  if (policy.termsOfUse !== null && !r.termsAccepted)
    add("terms-of-use", true, "Accept the room's terms of use to book it.");
  for (const f of policy.formFields) {
    const problem = fieldProblem(f, r.fields[f.id]);
    if (problem !== undefined) add("form-field", problem.limit, problem.detail, f.id);
  }
  for (const key of Object.keys(r.fields))
    if (!policy.formFields.some((f) => f.id === key))
      add("form-field", null, `The booking form has no field "${key.slice(0, 40)}".`, key.slice(0, 40));

  if (r.roomCount > 1 && !policy.allowMultiRoom)
    add("multi-room", false, "This room cannot be booked together with other rooms.");
  if (r.recurring && !policy.allowRecurring)
    add("recurring", false, "This room does not take recurring bookings.");
  if (r.isAllDay && !policy.allowAllDay) add("all-day", false, "This room does not take all-day bookings.");

  const zone = r.timeZone;
  const durationOf = (s: Slot): number => (s.end - s.start) / 60_000;
  // Only where the rule applies: the zone arithmetic is the costliest check of a plain booking.
  const overnight =
    r.isAllDay || policy.allowOvernight ? undefined : r.occurrences.find((s) => isOvernight(s, zone));
  if (overnight !== undefined)
    add(
      "overnight",
      false,
      `This room does not take bookings over midnight (${fmt(overnight.start, zone)}).`,
    );

  if (policy.businessHours !== null && !r.isAllDay) {
    const h = policy.businessHours;
    const open = hhmm(h.start);
    const close = hhmm(h.end);
    const outside = r.occurrences.find((s) => {
      const a = local(s.start, zone);
      const day = daysOfWeek[a.dayOfWeek - 1];
      if (day === undefined || !h.days.includes(day)) return true;
      if (Temporal.PlainTime.compare(a.toPlainTime(), open) < 0) return true;
      const date = a.toPlainDate();
      const closing =
        h.end === "24:00"
          ? date.add({ days: 1 }).toZonedDateTime({ timeZone: zone })
          : date.toZonedDateTime({ timeZone: zone, plainTime: close });
      return s.end > closing.epochMilliseconds;
    });
    if (outside !== undefined)
      add(
        "business-hours",
        `${h.days.join(",")} ${h.start}-${h.end}`,
        `Bookings must lie within business hours, ${h.start}-${h.end} on ${h.days.join(", ")} (${zone}); ${fmt(outside.start, zone)} does not.`,
      );
  }
  const shortest = Math.min(...r.occurrences.map(durationOf));
  const longest = Math.max(...r.occurrences.map(durationOf));
  if (policy.minDurationMinutes !== null && shortest < policy.minDurationMinutes)
    add(
      "min-duration",
      policy.minDurationMinutes,
      `A booking lasts at least ${policy.minDurationMinutes} minutes.`,
    );
  if (policy.maxDurationMinutes !== null && longest > policy.maxDurationMinutes && !r.isAllDay)
    add(
      "max-duration",
      policy.maxDurationMinutes,
      `A booking lasts at most ${policy.maxDurationMinutes} minutes.`,
    );
  if (policy.bookingWindowDays !== null) {
    const horizon = r.now + policy.bookingWindowDays * 86_400_000;
    const last = Math.max(...r.occurrences.map((s) => s.start));
    if (last > horizon)
      add(
        "booking-window",
        policy.bookingWindowDays,
        `Bookings may start at most ${policy.bookingWindowDays} days ahead.`,
      );
  }
  if (policy.organizerOverlap !== "allowed") {
    const hit = firstOverlap(r.occurrences, r.organizerBusy);
    if (hit !== undefined)
      add(
        "organizer-overlap",
        policy.organizerOverlap,
        `The organizer already has a booking at ${fmt(hit.b.start, zone)}${policy.organizerOverlap === "same-policy" ? " in a room under the same policy" : ""}.`,
      );
  }
  return out;
}

function fieldProblem(
  f: FormField,
  value: string | number | undefined,
): { limit: Refusal["limit"]; detail: string } | undefined {
  const missing = value === undefined || (typeof value === "string" && value.trim() === "");
  if (missing) return f.required ? { limit: "required", detail: `"${f.label}" is required.` } : undefined;
  switch (f.type) {
    case "text":
      if (typeof value !== "string") return { limit: "text", detail: `"${f.label}" takes text.` };
      if (f.maxLength !== undefined && value.length > f.maxLength)
        return { limit: f.maxLength, detail: `"${f.label}" takes at most ${f.maxLength} characters.` };
      return undefined;
    case "number":
      if (typeof value !== "number") return { limit: "number", detail: `"${f.label}" takes a number.` };
      if (f.min !== undefined && value < f.min)
        return { limit: f.min, detail: `"${f.label}" is at least ${f.min}.` };
      if (f.max !== undefined && value > f.max)
        return { limit: f.max, detail: `"${f.label}" is at most ${f.max}.` };
      return undefined;
    case "choice":
      return typeof value === "string" && (f.choices ?? []).includes(value)
        ? undefined
        : { limit: f.choices ?? [], detail: `Choose one of the options for "${f.label}".` };
  }
}

/** Refuses an edit or cancellation inside the policy's cut-off before the start. */
export function cutoffRefusal(
  policy: BookingPolicy,
  kind: "edit" | "cancel",
  start: number,
  now: number,
): Refusal | undefined {
  const minutes = kind === "edit" ? policy.editCutoffMinutes : policy.cancelCutoffMinutes;
  if (minutes === null || start - now >= minutes * 60_000) return undefined;
  return {
    rule: kind === "edit" ? "edit-cutoff" : "cancel-cutoff",
    limit: minutes,
    detail: `This booking can no longer be ${kind === "edit" ? "changed" : "cancelled"} in ONES: the room's policy stops that ${minutes} minutes before the start.`,
  };
}

/** The 422 problem for refusals: `rule` and `limit` of the first, and every refusal listed. */
export function policyRefused(refusals: readonly Refusal[]): AppError {
  const first = refusals[0];
  if (first === undefined) throw new Error("policyRefused needs at least one refusal");
  return new AppError("policy-refused", first.detail, {
    extensions: { rule: first.rule, limit: first.limit, refusals },
  });
}

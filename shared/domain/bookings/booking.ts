import { z } from "zod";
import type { OwedOccurrence } from "./owed-occurrences";
import { daysOfWeek, patternTypes, weekIndexes, type Recurrence, type SeriesExceptions } from "./recurrence";
import type { Slot } from "./slots";

/**
 * A booking of one or more rooms. Its life:
 * - `pending`: the slot is reserved in ONES and the calendar write is queued;
 * - `awaiting-approval`: the policy needs an approver (the slot is held when the policy says so);
 * - `confirmed` / `declined`: the room accepted or declined the invitation (its attendee status);
 * - `rejected`: an approver said no; `expired`: nobody decided before the start;
 * - `cancelled`: the organizer (or an admin) cancelled it;
 * - `failed`: the calendar write failed for good (dead letter; replayable).
 */
export const bookingStates = [
  "pending",
  "awaiting-approval",
  "confirmed",
  "declined",
  "rejected",
  "expired",
  "cancelled",
  "failed",
] as const;
export type BookingState = (typeof bookingStates)[number];

/** States in which the booking holds its rooms' slots. */
export function holdsSlots(state: BookingState, holdWhileAwaiting: boolean): boolean {
  if (state === "awaiting-approval") return holdWhileAwaiting;
  return state === "pending" || state === "confirmed";
}

/** Final states: nothing changes a booking in one of these (but a new booking). */
export const isFinal = (state: BookingState): boolean =>
  state === "declined" ||
  state === "rejected" ||
  state === "expired" ||
  state === "cancelled" ||
  state === "failed";

/** Where a booking came from: made in ONES, found in Outlook (calendar sync), or made on a display. */
export type BookingSource = "ones" | "outlook" | "device";

export interface PersonRef {
  readonly userId?: string;
  readonly email: string;
  readonly name?: string;
}

export interface Attendee {
  readonly email: string;
  readonly name?: string;
  readonly type: "required" | "optional";
}

/** Where the booking lives in Microsoft 365: the organizer-side event. */
export interface CalendarLink {
  /** The mailbox whose calendar holds the organizer's event (the user, or a domain's representative). */
  readonly mailbox: string;
  /** Whose token writes it: the app (application mode) or the organizer (delegated mode). */
  readonly actor: "app" | "user";
  /**
   * The user whose delegated token wrote an event into a room's own calendar (a display walk-in in the
   * delegated modes, where the room is the organizer); absent: the organizer's token.
   */
  readonly writerId?: string;
  readonly eventId?: string;
  readonly iCalUId?: string;
  readonly etag?: string;
}

/** One room of one occurrence released for want of a check-in, still to be written (`releasesOwed`). */
export interface OwedRelease {
  /** The room's id (its mailbox, lower case). */
  readonly roomId: string;
  /** The occurrence key (ISO 8601 of its original start). */
  readonly key: string;
}

export interface Presence {
  readonly checkedIn: readonly string[];
  readonly extended: readonly string[];
  readonly released: readonly string[];
}

export type RoomResponse = "none" | "accepted" | "tentativelyAccepted" | "declined";

export interface Booking {
  readonly id: string;
  /** Lower-case room mailbox ids, sorted (the order in which slots are reserved). */
  readonly roomIds: readonly string[];
  /** First occurrence (or the single booking), epoch ms. */
  readonly start: number;
  readonly end: number;
  /** The first room's IANA zone: recurrence repeats in it. */
  readonly timeZone: string;
  readonly subject: string;
  readonly body?: string;
  readonly attendees: readonly Attendee[];
  readonly isOnlineMeeting: boolean;
  readonly isAllDay: boolean;
  readonly recurrence?: Recurrence;
  readonly exceptions: SeriesExceptions;
  readonly organizer: PersonRef;
  /** Who made the booking (a booking admin acting for the organizer, or the organizer). */
  readonly bookedBy: PersonRef;
  readonly source: BookingSource;
  readonly state: BookingState;
  /** Extra form fields of the policy, by field id. */
  readonly fields: Readonly<Record<string, string | number>>;
  readonly termsAccepted: boolean;
  readonly approval?: {
    readonly holdSlot: boolean;
    readonly approvers: readonly { readonly email: string; readonly name?: string }[];
    readonly decidedBy?: PersonRef;
    readonly decidedAt?: string;
    readonly reason?: string;
  };
  readonly calendar?: CalendarLink;
  /**
   * A calendar change ONES has accepted and still owes Microsoft 365 (an outbox entry, saved with the
   * change itself): `cancel` until the organizer's event is cancelled, `write` until an edit is
   * written. The recovery sweep queues the command again for what is still owed.
   */
  readonly calendarOwed?: "write" | "cancel";
  /**
   * Single occurrences of a series whose cancel or move ONES has accepted and still owes Microsoft 365
   * (the occurrence outbox, saved with the change; see owed-occurrences.ts). Absent when none is owed.
   */
  readonly occurrencesOwed?: readonly OwedOccurrence[];
  /**
   * Rooms given back by auto-release (no check-in) whose release ONES has recorded and still owes
   * Microsoft 365 and its own reservation (the release outbox, saved before Graph is called; see
   * shared/app/displays/auto-release.ts). Absent when none is owed.
   */
  readonly releasesOwed?: readonly OwedRelease[];
  readonly roomResponses: Readonly<Record<string, RoomResponse>>;
  /** Why the booking ended declined / failed / rejected (shown to the organizer). */
  readonly reason?: string;
  /** The slots currently reserved, per room (what a release or an edit must remove). */
  readonly reserved: Readonly<Record<string, readonly Slot[]>>;
  /**
   * What happened at the room (displays): occurrence keys checked in, extended on the device, or released
   * for want of a check-in. Absent on bookings nobody touched at a display.
   */
  readonly presence?: Presence;
  /** Grows with every change; commands name the version they were queued for. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The JSON a client sees: instants as ISO 8601 UTC; no internal bookkeeping. */
export type BookingView = Pick<
  Booking,
  | "id"
  | "state"
  | "source"
  | "roomIds"
  | "timeZone"
  | "subject"
  | "body"
  | "attendees"
  | "isOnlineMeeting"
  | "isAllDay"
  | "recurrence"
  | "organizer"
  | "bookedBy"
  | "fields"
  | "roomResponses"
  | "reason"
  | "version"
  | "createdAt"
  | "updatedAt"
> & {
  readonly start: string;
  readonly end: string;
  readonly cancelledOccurrences: readonly string[];
  readonly movedOccurrences: readonly {
    readonly key: string;
    readonly start: string;
    readonly end: string;
  }[];
  readonly approval?: { readonly decidedBy?: string; readonly decidedAt?: string; readonly reason?: string };
  readonly eventICalUId?: string;
};

const iso = (ms: number): string => new Date(ms).toISOString();

export function bookingView(b: Booking): BookingView {
  return {
    id: b.id,
    state: b.state,
    source: b.source,
    roomIds: b.roomIds,
    start: iso(b.start),
    end: iso(b.end),
    timeZone: b.timeZone,
    subject: b.subject,
    ...(b.body === undefined ? {} : { body: b.body }),
    attendees: b.attendees,
    isOnlineMeeting: b.isOnlineMeeting,
    isAllDay: b.isAllDay,
    ...(b.recurrence === undefined ? {} : { recurrence: b.recurrence }),
    cancelledOccurrences: b.exceptions.cancelled,
    movedOccurrences: b.exceptions.moved.map((m) => ({ key: m.key, start: iso(m.start), end: iso(m.end) })),
    organizer: b.organizer,
    bookedBy: b.bookedBy,
    fields: b.fields,
    roomResponses: b.roomResponses,
    ...(b.reason === undefined ? {} : { reason: b.reason }),
    ...(b.approval?.decidedAt === undefined
      ? {}
      : {
          approval: {
            ...(b.approval.decidedBy === undefined ? {} : { decidedBy: b.approval.decidedBy.email }),
            decidedAt: b.approval.decidedAt,
            ...(b.approval.reason === undefined ? {} : { reason: b.approval.reason }),
          },
        }),
    ...(b.calendar?.iCalUId === undefined ? {} : { eventICalUId: b.calendar.iCalUId }),
    version: b.version,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  };
}

// ------------------------------------------------------------------ input shapes (parsed at the edge)

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const roomId = z.string().trim().toLowerCase().min(3).max(254);
const attendeeSchema = z
  .object({
    email: z.string().trim().max(254).pipe(z.email()),
    name: z.string().trim().min(1).max(256).optional(),
    type: z.enum(["required", "optional"]).default("required"),
  })
  .strict();

export const recurrenceSchema = z
  .object({
    pattern: z
      .object({
        type: z.enum(patternTypes),
        interval: z.number().int().min(1).max(99).default(1),
        daysOfWeek: z.array(z.enum(daysOfWeek)).min(1).max(7).optional(),
        dayOfMonth: z.number().int().min(1).max(31).optional(),
        month: z.number().int().min(1).max(12).optional(),
        index: z.enum(weekIndexes).optional(),
        firstDayOfWeek: z.enum(daysOfWeek).optional(),
      })
      .strict(),
    range: z.discriminatedUnion("type", [
      z.object({ type: z.literal("endDate"), endDate: z.iso.date() }).strict(),
      z
        .object({ type: z.literal("numbered"), numberOfOccurrences: z.number().int().min(1).max(10_000) })
        .strict(),
    ]),
  })
  .strict();

const fieldValues = z
  .record(z.string().max(40), z.union([z.string().max(2000), z.number().finite()]))
  .refine((r) => Object.keys(r).length <= 20, "at most 20 fields");

export const newBookingSchema = z
  .object({
    roomIds: z.array(roomId).min(1).max(10),
    start: isoInstant,
    end: isoInstant,
    subject: z.string().trim().min(1).max(255),
    body: z.string().max(32_000).optional(),
    attendees: z.array(attendeeSchema).max(200).default([]),
    isOnlineMeeting: z.boolean().default(false),
    isAllDay: z.boolean().default(false),
    recurrence: recurrenceSchema.optional(),
    /** Book for this person (booking admins only): their email. */
    onBehalfOf: z.string().trim().max(254).pipe(z.email()).optional(),
    termsAccepted: z.boolean().default(false),
    fields: fieldValues.default({}),
  })
  .strict()
  .refine((b) => b.end > b.start, { message: "end must be after start", path: ["end"] })
  .refine((b) => new Set(b.roomIds).size === b.roomIds.length, {
    message: "a room is listed twice",
    path: ["roomIds"],
  });

export type NewBookingInput = z.output<typeof newBookingSchema>;

/** PATCH /api/bookings/{id}: the whole series or, with `occurrence`, one occurrence (its key). */
export const bookingEditSchema = z
  .object({
    occurrence: z.iso.datetime({ offset: true }).optional(),
    start: isoInstant.optional(),
    end: isoInstant.optional(),
    subject: z.string().trim().min(1).max(255).optional(),
    body: z.string().max(32_000).optional(),
    attendees: z.array(attendeeSchema).max(200).optional(),
    isOnlineMeeting: z.boolean().optional(),
  })
  .strict()
  .refine((e) => (e.start === undefined) === (e.end === undefined), {
    message: "give start and end together",
    path: ["end"],
  })
  .refine((e) => e.start === undefined || e.end === undefined || e.end > e.start, {
    message: "end must be after start",
    path: ["end"],
  })
  .refine(
    (e) =>
      e.occurrence === undefined ||
      (e.subject === undefined && e.body === undefined && e.attendees === undefined),
    {
      message: "one occurrence can only be moved",
      path: ["occurrence"],
    },
  );

export type BookingEdit = z.output<typeof bookingEditSchema>;

/** An occurrence key in canonical form (ISO 8601 UTC with milliseconds). */
export const occurrenceKey = (iso: string): string => new Date(Date.parse(iso)).toISOString();

import type { Attendee, RoomResponse } from "../../domain/bookings/booking";
import type { Recurrence } from "../../domain/bookings/recurrence";

/** Whose token writes: the app's own (application mode) or a user's delegated token. */
export type CalendarActor = { readonly kind: "app" } | { readonly kind: "user"; readonly userId: string };

/** The meeting as ONES writes it to the organizer's calendar (the room invited as a resource). */
export interface CalendarEventInput {
  readonly bookingId: string;
  readonly subject: string;
  readonly body?: string;
  /** Epoch ms; recurring events are written in `timeZone` so the series repeats on wall-clock time. */
  readonly start: number;
  readonly end: number;
  readonly timeZone: string;
  readonly isAllDay: boolean;
  readonly isOnlineMeeting: boolean;
  readonly recurrence?: Recurrence;
  readonly rooms: readonly { readonly email: string; readonly name: string }[];
  readonly attendees: readonly Attendee[];
}

/** What ONES reads back of the organizer's event. */
export interface CalendarEventState {
  readonly eventId: string;
  readonly iCalUId?: string;
  readonly etag?: string;
  readonly isCancelled: boolean;
  /** Each invited room's answer, by lower-case address. */
  readonly roomResponses: Readonly<Record<string, RoomResponse>>;
}

export type CalendarEventPatch = Partial<
  Pick<
    CalendarEventInput,
    "subject" | "body" | "start" | "end" | "timeZone" | "isOnlineMeeting" | "attendees" | "rooms"
  >
>;

/**
 * Writes bookings to Microsoft 365 as Exchange itself would: an event in the organizer's calendar with
 * each room as a resource attendee, stamped with the ONES booking id (a single-value extended property)
 * and created with `transactionId`, so a retried create never makes a second event.
 */
export interface CalendarGateway {
  /** The organizer's event carrying this booking id, if one exists (the crash-safe idempotency check). */
  findByBookingId(
    actor: CalendarActor,
    mailbox: string,
    bookingId: string,
  ): Promise<CalendarEventState | undefined>;
  create(actor: CalendarActor, mailbox: string, input: CalendarEventInput): Promise<CalendarEventState>;
  get(actor: CalendarActor, mailbox: string, eventId: string): Promise<CalendarEventState | undefined>;
  /** Updates with If-Match; on 412 re-reads and applies the patch again. */
  update(
    actor: CalendarActor,
    mailbox: string,
    eventId: string,
    patch: CalendarEventPatch,
    etag?: string,
  ): Promise<CalendarEventState>;
  /** Cancels the organizer's event (attendees and rooms are told); a missing event is already cancelled. */
  cancel(actor: CalendarActor, mailbox: string, eventId: string, comment?: string): Promise<void>;
  /** Cancels or moves one occurrence of a series, found by its original start. */
  cancelOccurrence(
    actor: CalendarActor,
    mailbox: string,
    seriesId: string,
    originalStart: number,
  ): Promise<void>;
  moveOccurrence(
    actor: CalendarActor,
    mailbox: string,
    seriesId: string,
    originalStart: number,
    to: { readonly start: number; readonly end: number },
  ): Promise<void>;
}

import { Temporal } from "temporal-polyfill";
import type { BookingPolicy } from "./policy";

/** One busy block of a room's schedule, as the schedule API and displays get it. */
export interface BusyBlock {
  readonly bookingId: string;
  /** The occurrence key (original start) for series; the start for single bookings. */
  readonly occurrence: string;
  readonly start: string;
  readonly end: string;
  readonly state: string;
  /** Present only as the room's privacy allows. */
  readonly subject?: string;
  readonly organizer?: string;
}

/** What a room's privacy setting lets others see of a booking: its subject, the organizer, or nothing. */
export function visibleParts(
  privacy: BookingPolicy["privacy"],
  subject: string,
  organizerName: string,
): { subject?: string; organizer?: string } {
  switch (privacy) {
    case "subject":
      return { subject, organizer: organizerName };
    case "organizer":
      return { organizer: organizerName };
    case "busy":
      return {};
  }
}

/** The displays' window: from the start of today to the end of tomorrow, in the room's zone. */
export function displayWindow(now: number, timeZone: string): { from: number; to: number } {
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(timeZone).toPlainDate();
  const from = today.toZonedDateTime({ timeZone }).epochMilliseconds;
  const to = today.add({ days: 2 }).toZonedDateTime({ timeZone }).epochMilliseconds;
  return { from, to };
}

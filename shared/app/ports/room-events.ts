import type { Recurrence } from "../../domain/bookings/recurrence";

/** Which ONES booking (and occurrence) a room-calendar event belongs to, per room. */
export interface RoomEventLink {
  readonly eventId: string;
  readonly bookingId: string;
  /** The occurrence key in the booking (original start, ISO 8601 UTC). */
  readonly key: string;
  /**
   * The room's read generation when the link was written (absent on links written before generations
   * existed, which count as 0). A full read removes only links older than the generation it began.
   */
  readonly generation?: number;
  /** The event's `lastModifiedDateTime` the booking last followed (absent on older links). */
  readonly modifiedAt?: string;
}

/**
 * The links between a room's calendar events and ONES bookings (table `roomevents`). A removed event
 * carries only its id, so this is how its booking is found. Series masters are linked under
 * `series:{masterId}`.
 */
export interface RoomEventIndex {
  get(roomId: string, eventId: string): Promise<RoomEventLink | undefined>;
  put(roomId: string, link: RoomEventLink): Promise<void>;
  remove(roomId: string, eventId: string): Promise<void>;
  /** Every link of the room (a full read drops those Graph no longer lists). */
  ofRoom(roomId: string): Promise<RoomEventLink[]>;
  /**
   * Begins a full read of the room: moves the room's read generation on and answers it. Never moves
   * it back (concurrent calls may answer the same number). Called before the read's first request.
   */
  beginFullRead(roomId: string): Promise<number>;
  /** The room's read generation now (0 before its first full read). */
  generation(roomId: string): Promise<number>;
}

/** What a room-calendar event says beyond the delta's fields (one GET, on first sight). */
export interface RoomEventDetails {
  /** The ONES booking id the organizer's event was stamped with (the extended property), if any. */
  readonly onesBookingId?: string;
  readonly subject?: string;
  readonly organizerName?: string;
  readonly isAllDay?: boolean;
  /** The room's own answer on its copy. */
  readonly response?: "none" | "accepted" | "tentativelyAccepted" | "declined" | "organizer";
  readonly recurrence?: Recurrence;
  readonly timeZone?: string;
  /** Where the event is now (UTC instants), in or out of the read window. */
  readonly start?: string;
  readonly end?: string;
  readonly isCancelled?: boolean;
  /** `lastModifiedDateTime` (UTC instant). */
  readonly lastModified?: string;
}

/** Room calendars through Graph, on the room's behalf (application modes). */
export interface RoomEventGateway {
  /** The event with ONES's extended property expanded; undefined when Graph no longer has it. */
  details(roomEmail: string, eventId: string): Promise<RoomEventDetails | undefined>;
  /** Declines the room's copy with a comment the organizer reads (the organizer is told). */
  decline(roomEmail: string, eventId: string, comment: string): Promise<void>;
}

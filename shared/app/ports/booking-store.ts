import type { Booking } from "../../domain/bookings/booking";
import type { Slot } from "../../domain/bookings/slots";

/** One reserved slot in a room's index: which booking (and occurrence) holds the room when. */
export interface SlotEntry {
  readonly bookingId: string;
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** A booking's slots in one room after the change (empty = release the room). */
export interface RoomReservation {
  readonly roomId: string;
  readonly slots: readonly Slot[];
}

/** A stored booking with the version (ETag) a conditional replace must name. */
export interface StoredBooking {
  readonly booking: Booking;
  readonly etag: string;
}

export interface BookingPage {
  readonly items: readonly Booking[];
  /** Opaque; pass back for the next page. Absent on the last page. */
  readonly cursor?: string;
}

export interface ReserveOptions {
  /** Record overlaps rather than refuse them. */
  readonly force?: boolean;
  /** The booking holds no slot anywhere yet (a new booking): what it holds is not read first. */
  readonly fresh?: boolean;
  /**
   * Runs once, after the first room's slots were read and found free and before anything is written:
   * a new booking stores its document here, so a refused request writes nothing at all, and a slot is
   * never held by a booking whose document does not exist. When it throws, nothing is reserved.
   */
  readonly beforeWrite?: () => Promise<void>;
}

/**
 * Bookings and the rooms' reservations. The no-double-booking guarantee lives here: per room, a
 * reservation is checked against and written to the room's per-day index atomically, so of several
 * concurrent requests for one slot exactly one wins.
 */
export interface BookingStore {
  /**
   * Makes `slots` the booking's reservation in each room, rooms in the given order (callers sort
   * them), all or nothing: when a room refuses, the rooms already changed get their previous slots
   * back. A slot overlapping another booking's is refused with AppError `conflict` whose extensions
   * name the room and the conflicting time (`roomId`, `conflictStart`, `conflictEnd`). With `force`
   * overlaps are recorded rather than refused (bookings Exchange already holds, made in Outlook).
   * Returns each room's new schedule version.
   */
  reserve(
    bookingId: string,
    rooms: readonly RoomReservation[],
    options?: ReserveOptions,
  ): Promise<ReadonlyMap<string, number>>;
  /**
   * Removes the occurrences `keys` from what the booking holds in each room, whatever else it holds
   * there now (a pure release: it never adds a slot, so repeating it or running it late is harmless).
   */
  releaseOccurrences(bookingId: string, roomIds: readonly string[], keys: readonly string[]): Promise<void>;
  /** Stores a new booking; `conflict` if the id exists. */
  create(booking: Booking): Promise<StoredBooking>;
  get(id: string): Promise<StoredBooking | undefined>;
  /**
   * Replaces the booking if it is still at `etag`; `precondition-failed` when it changed meanwhile.
   * `previous`, the booking as stored at `etag`, lets the store skip index rows the change leaves as
   * they are.
   */
  replace(booking: Booking, etag: string, previous?: Booking): Promise<StoredBooking>;
  /** Removes a booking that never got anywhere (its reservation failed). */
  remove(id: string): Promise<void>;
  /** The bookings organized by this address touching [from, to), soonest first, paged. */
  listByOrganizer(
    organizerEmail: string,
    query: { readonly from?: number; readonly to?: number; readonly limit: number; readonly cursor?: string },
  ): Promise<BookingPage>;
  /** The booking linked to a calendar event's iCalUId (calendar sync), if any. */
  findByICalUId(iCalUId: string): Promise<Booking | undefined>;
  /** Reserved slots of a room overlapping [from, to), by start. */
  roomSlots(roomId: string, from: number, to: number): Promise<SlotEntry[]>;
  /** The room's schedule version: grows with every change of its reservations. */
  roomVersion(roomId: string): Promise<number>;
}

/** The ids of bookings that still owe Microsoft 365 something, each list at most `limit` long. */
export interface OwedBookings {
  /** A cancel of the whole booking (`calendarOwed: "cancel"`). */
  readonly cancel: readonly string[];
  /**
   * A write (`calendarOwed: "write"`): the sweep completes those of confirmed bookings (a display's
   * walk-in, extension or early end).
   */
  readonly write: readonly string[];
  /** A single-occurrence change (`occurrencesOwed`). */
  readonly occurrence: readonly string[];
  /** An auto-release of a room (`releasesOwed`). */
  readonly release: readonly string[];
}

/** Bookings the recovery sweep looks at again. */
export interface PendingBookings {
  /** The ids of bookings the store lists as `pending`, at most `limit` of them. */
  pendingIds(limit: number): Promise<string[]>;
  /** The bookings that still owe Microsoft 365 a change, found in one read. */
  owed(limit: number): Promise<OwedBookings>;
}

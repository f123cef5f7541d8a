/** Bookings the recovery sweep looks at again. */
export interface PendingBookings {
  /** The ids of bookings the store lists as `pending`, at most `limit` of them. */
  pendingIds(limit: number): Promise<string[]>;
  /** The ids of bookings that still owe Microsoft 365 a cancel (`calendarOwed`), at most `limit`. */
  cancelOwedIds(limit: number): Promise<string[]>;
  /**
   * The ids of bookings that still owe Microsoft 365 a write (`calendarOwed: "write"`), at most `limit`
   * (the sweep completes those of confirmed bookings: a display's walk-in, extension or early end).
   */
  writeOwedIds(limit: number): Promise<string[]>;
  /** The ids of bookings that still owe Microsoft 365 a single-occurrence change (`occurrencesOwed`). */
  occurrenceOwedIds(limit: number): Promise<string[]>;
}

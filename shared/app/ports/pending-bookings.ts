/** Bookings the recovery sweep looks at again. */
export interface PendingBookings {
  /** The ids of bookings the store lists as `pending`, at most `limit` of them. */
  pendingIds(limit: number): Promise<string[]>;
  /** The ids of bookings that still owe Microsoft 365 a cancel (`calendarOwed`), at most `limit`. */
  cancelOwedIds(limit: number): Promise<string[]>;
  /** The ids of bookings that still owe Microsoft 365 a single-occurrence change (`occurrencesOwed`). */
  occurrenceOwedIds(limit: number): Promise<string[]>;
}

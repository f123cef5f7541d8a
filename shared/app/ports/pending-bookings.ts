/** The ids of bookings the store lists as `pending` (for the recovery sweep), at most `limit` of them. */
export interface PendingBookings {
  pendingIds(limit: number): Promise<string[]>;
}

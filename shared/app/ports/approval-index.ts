/** One request waiting for an approver: the booking and its (first) start, epoch ms. */
export interface ApprovalEntry {
  readonly bookingId: string;
  readonly start: number;
}

/**
 * Which booking requests wait for which approver, so "approvals waiting for me" is one partition read.
 * Rows are keyed by the approver's lower-case address and the booking id; writes are idempotent.
 */
export interface ApprovalIndex {
  /** Records (or moves) the request for each approver. */
  put(bookingId: string, start: number, approverEmails: readonly string[]): Promise<void>;
  /** Forgets the request for each approver; rows already gone are fine. */
  remove(bookingId: string, approverEmails: readonly string[]): Promise<void>;
  /** The requests recorded for this approver, soonest first (ties by booking id). */
  list(approverEmail: string): Promise<ApprovalEntry[]>;
}

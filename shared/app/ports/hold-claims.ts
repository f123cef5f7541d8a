/**
 * Matching a meeting sent from Outlook to the hold the add-in made for it. The Outlook-to-ONES
 * processing calls `claim` before it creates a booking for a room event it has not seen: when a hold
 * matches, the booking takes `bookingId` as its id (the hold's slot is already reserved under it, so
 * the room is not reserved twice) and the hold's policy (`policyId`), approval included.
 */
export interface HoldClaims {
  claim(request: {
    readonly roomId: string;
    readonly organizerEmail: string;
    /** Epoch ms, UTC. */
    readonly start: number;
    readonly end: number;
    readonly iCalUId: string;
  }): Promise<{ holdId: string; bookingId?: string; policyId?: string } | undefined>;
}

/**
 * A hold the Outlook add-in placed before its organizer sent the meeting. When the calendar sync finds
 * a new Outlook-made booking it asks whether a hold covers it (through the organizer's event and its
 * `iCalUId`, or by organizer, room and time), so the booking keeps the hold's policy and approval
 * context instead of being judged afresh.
 */
export interface HoldClaim {
  readonly holdId: string;
  /** The id the hold's slot is reserved under: a booking that takes it does not reserve the room twice. */
  readonly bookingId?: string;
  /** The policy the hold was checked against. */
  readonly policyId?: string;
  /** The policy was already checked when the hold was placed: do not check it again. */
  readonly policyChecked?: boolean;
  /** The hold needs approval (the booking is stored `awaiting-approval`). */
  readonly approval?: {
    readonly holdSlot: boolean;
    readonly approvers: readonly { readonly email: string; readonly name?: string }[];
  };
  readonly fields?: Readonly<Record<string, string | number>>;
  readonly termsAccepted?: boolean;
}

export interface HoldClaims {
  /** Claims (once) the hold matching this meeting, if any; claiming the same meeting again answers alike. */
  claim(request: {
    readonly roomId: string;
    readonly organizerEmail: string;
    /** Epoch ms, UTC. */
    readonly start: number;
    readonly end: number;
    readonly iCalUId?: string;
  }): Promise<HoldClaim | undefined>;
}

/** No holds: every Outlook booking is judged by the room's policy on its own. */
export const noHoldClaims: HoldClaims = { claim: () => Promise.resolve(undefined) };

/**
 * A hold the Outlook add-in placed before its organizer sent the meeting: when the calendar sync finds
 * a new Outlook-made booking, it asks whether a hold covers it, so the booking takes the hold's
 * policy and approval context instead of being judged afresh.
 */
export interface HoldClaim {
  readonly holdId: string;
  /** The policy was already checked when the hold was placed: do not check it again. */
  readonly policyChecked: boolean;
  /** The hold needs approval (the booking is stored `awaiting-approval`). */
  readonly approval?: {
    readonly holdSlot: boolean;
    readonly approvers: readonly { readonly email: string; readonly name?: string }[];
  };
  readonly fields?: Readonly<Record<string, string | number>>;
  readonly termsAccepted?: boolean;
}

export interface HoldClaims {
  /** Claims (once) the hold matching this meeting, if any. */
  claim(request: {
    readonly roomId: string;
    readonly organizerEmail: string;
    readonly start: number;
    readonly end: number;
    readonly iCalUId?: string;
  }): Promise<HoldClaim | undefined>;
}

/** No holds: every Outlook booking is judged by the room's policy on its own. */
export const noHoldClaims: HoldClaims = { claim: () => Promise.resolve(undefined) };

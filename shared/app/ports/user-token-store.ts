import type { SignInFailure, SignInLapse } from "../../domain/auth/sign-in-lapse";

/** Where a user's delegated sign-in stands: never signed in, usable, or needing a new sign-in. */
export type DelegatedSignInState = "never" | "ok" | "needs-sign-in";

/** A user's stored MSAL cache, decrypted, with the version of the row it came from. */
export interface StoredUserToken {
  readonly cache: string;
  readonly homeAccountId: string;
  /** Opaque version of the stored row (its ETag): conditional writes succeed only while it is current. */
  readonly version: string;
}

/** A flagged user's lapse, and whether they were told (the `sign-in-required` mail was queued). */
export interface FlaggedSignIn {
  readonly lapse: SignInLapse;
  readonly notified: boolean;
}

/**
 * Each user's MSAL token cache (refresh token included), kept per user and encrypted at rest, with the
 * "needs to sign in again" flag set when the refresh token stops working (delegated modes).
 */
export interface UserTokenStore {
  /** The serialized MSAL cache of the user, decrypted; undefined when there is none. */
  read(userId: string): Promise<StoredUserToken | undefined>;
  /**
   * Stores the user's cache. Without `expected` it always wins (a sign-in); with it, only while the row
   * is still that version (a silent renewal), and returns false when it changed meanwhile.
   */
  write(userId: string, homeAccountId: string, cache: string, expected?: string): Promise<boolean>;
  state(userId: string): Promise<DelegatedSignInState>;
  /** The lapse of a flagged user; undefined unless the user is flagged. */
  flagged(userId: string): Promise<FlaggedSignIn | undefined>;
  /**
   * Drops the stored tokens and flags the user (revoked or expired refresh token), but only if the row
   * is still the version `expected` the failing renewal used: undefined when it changed meanwhile (the
   * user signed in again, or another failure flagged it first), and then nothing is written. Returns
   * the lapse id otherwise: when the stored tokens were last written while they worked, so the next
   * sign-in starts a new lapse.
   */
  markNeedsSignIn(
    userId: string,
    failure: SignInFailure,
    expected: string,
  ): Promise<{ readonly lapseId: string } | undefined>;
  /** Records that the user was told about this lapse; a no-op once the row moved on to another. */
  markNotified(userId: string, lapseId: string): Promise<void>;
  /** Users whose stored token last worked, up to `limit`. */
  usersWithToken(limit?: number): Promise<string[]>;
}

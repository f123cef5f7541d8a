/** Where a user's delegated sign-in stands: never signed in, usable, or needing a new sign-in. */
export type DelegatedSignInState = "never" | "ok" | "needs-sign-in";

/**
 * Each user's MSAL token cache (refresh token included), kept per user and encrypted at rest, with the
 * "needs to sign in again" flag set when the refresh token stops working (delegated modes).
 */
export interface UserTokenStore {
  /** The serialized MSAL cache of the user, decrypted; undefined when there is none. */
  read(userId: string): Promise<{ cache: string; homeAccountId: string } | undefined>;
  write(userId: string, homeAccountId: string, cache: string): Promise<void>;
  state(userId: string): Promise<DelegatedSignInState>;
  /**
   * Drops the stored tokens and flags the user (revoked or expired refresh token). Returns the lapse
   * id: when the stored tokens were last written while they worked, so every flagging of one lapse
   * returns the same id and the next sign-in starts a new one.
   */
  markNeedsSignIn(userId: string, reason: string): Promise<{ readonly lapseId: string }>;
  /** Users whose stored token last worked, up to `limit`. */
  usersWithToken(limit?: number): Promise<string[]>;
}

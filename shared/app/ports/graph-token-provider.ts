/**
 * Access tokens for Microsoft Graph. Application modes use the app's own token (client credentials);
 * delegated modes act with a signed-in user's token, renewed silently from their stored refresh token.
 */
export interface TokenRequest {
  /**
   * A token acquired anew, never one from the cache: for when Graph refused the cached one (revoked, or
   * expired before its stated lifetime). The new token replaces the cached one.
   */
  readonly fresh?: boolean;
}

export interface GraphTokenProvider {
  /** The app-only token (application modes). Throws `not-available-in-mode` in delegated modes. */
  appToken(options?: TokenRequest): Promise<string>;
  /**
   * A token of the given user (delegated modes), by their ONES user id. Throws `unauthenticated` with a
   * "sign in to ONES once" detail when the user never signed in or their refresh token no longer works.
   */
  userToken(userId: string, options?: TokenRequest): Promise<string>;
  /** Users with a working delegated token, for background work that needs any user (polling, checks). */
  usersWithToken(limit?: number): Promise<string[]>;
}

/**
 * The OpenID Connect authorization code flow with PKCE against the tenant's Entra ID (MSAL Node). The
 * caller keeps `state`, `nonce` and the verifier server-side and passes them back at the callback.
 */
export interface SignInClient {
  pkce(): Promise<{ verifier: string; challenge: string }>;
  authorizationUrl(request: {
    state: string;
    nonce: string;
    challenge: string;
    redirectUri: string;
    loginHint?: string;
  }): Promise<string>;
  /**
   * Redeems the code (MSAL checks state and the id token's nonce). In delegated modes the result also
   * carries the user's serialized MSAL cache (refresh token included) for the caller to store once the
   * id token is verified.
   */
  redeemCode(request: {
    code: string;
    state: string;
    nonce: string;
    verifier: string;
    redirectUri: string;
  }): Promise<{ idToken: string; tokenCache?: { serialized: string; homeAccountId: string } }>;
  /** Where the browser goes to end the Entra session too. */
  logoutUrl(postLogoutRedirectUri: string): Promise<string | undefined>;
}

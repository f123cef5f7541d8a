import { randomBytes } from "node:crypto";
import { signInRequestMs } from "../../domain/auth/principal";
import { safeReturnTo } from "../../domain/auth/return-to";
import type { CookieSealer } from "../ports/secret-box";
import type { PendingSignIn } from "../ports/session-store";
import type { SignInClient } from "../ports/sign-in-client";

export interface StartSignInDeps {
  readonly signIn: SignInClient;
  /** Seals the pending sign-in into the browser's sign-in cookie. */
  readonly signInCookie: CookieSealer;
  readonly appBaseUrl: string;
  readonly now: () => Date;
}

export const random = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** The redirect URI to register in the app registration (Web platform). */
export function redirectUriOf(appBaseUrl: string): string {
  return `${new URL(appBaseUrl).origin}/api/auth/callback`;
}

/**
 * Starts a sign-in: fresh `state`, `nonce` and PKCE verifier, sealed into a cookie for this browser
 * (10 minutes; nothing is written on the server, so anonymous requests cost no storage), and the Entra
 * authorize URL to redirect to. The callback takes them back from the cookie, so it must come back to
 * the same browser.
 */
export async function startSignIn(
  deps: StartSignInDeps,
  input: { returnTo?: string; loginHint?: string },
): Promise<{ authorizeUrl: string; bindingCookie: string; maxAgeSeconds: number }> {
  const returnTo = safeReturnTo(input.returnTo, deps.appBaseUrl);
  const state = random();
  const nonce = random();
  const { verifier, challenge } = await deps.signIn.pkce();
  const pending: PendingSignIn = {
    state,
    nonce,
    codeVerifier: verifier,
    returnTo,
    expiresAt: new Date(deps.now().getTime() + signInRequestMs),
  };
  const authorizeUrl = await deps.signIn.authorizationUrl({
    state,
    nonce,
    challenge,
    redirectUri: redirectUriOf(deps.appBaseUrl),
    ...(input.loginHint === undefined ? {} : { loginHint: input.loginHint }),
  });
  return {
    authorizeUrl,
    bindingCookie: sealPendingSignIn(deps.signInCookie, pending),
    maxAgeSeconds: signInRequestMs / 1000,
  };
}

export function sealPendingSignIn(sealer: CookieSealer, pending: PendingSignIn): string {
  return sealer.seal(
    JSON.stringify({
      s: pending.state,
      n: pending.nonce,
      v: pending.codeVerifier,
      r: pending.returnTo,
      e: pending.expiresAt.getTime(),
    }),
  );
}

/** The pending sign-in of a sign-in cookie; undefined unless this app sealed it. */
export function openPendingSignIn(sealer: CookieSealer, cookie: string): PendingSignIn | undefined {
  const opened = sealer.open(cookie);
  if (opened === undefined) return undefined;
  const v = JSON.parse(opened) as { s: string; n: string; v: string; r: string; e: number };
  return { state: v.s, nonce: v.n, codeVerifier: v.v, returnTo: v.r, expiresAt: new Date(v.e) };
}

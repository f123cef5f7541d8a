import { createHash, randomBytes } from "node:crypto";
import { signInRequestMs } from "../../domain/auth/principal";
import { safeReturnTo } from "../../domain/auth/return-to";
import type { Signer } from "../ports/secret-box";
import type { SignInRequestStore } from "../ports/session-store";
import type { SignInClient } from "../ports/sign-in-client";

export interface StartSignInDeps {
  readonly signIn: SignInClient;
  readonly requests: SignInRequestStore;
  readonly signInCookie: Signer;
  readonly appBaseUrl: string;
  readonly now: () => Date;
}

export const random = (bytes = 32): string => randomBytes(bytes).toString("base64url");
export const sha256 = (value: string): string => createHash("sha256").update(value).digest("base64url");

/** The redirect URI to register in the app registration (Web platform). */
export function redirectUriOf(appBaseUrl: string): string {
  return `${new URL(appBaseUrl).origin}/api/auth/callback`;
}

/**
 * Starts a sign-in: fresh `state`, `nonce` and PKCE verifier kept server-side (single use, 10 minutes),
 * bound to this browser by a signed cookie, and the Entra authorize URL to redirect to.
 */
export async function startSignIn(
  deps: StartSignInDeps,
  input: { returnTo?: string; loginHint?: string },
): Promise<{ authorizeUrl: string; bindingCookie: string; maxAgeSeconds: number }> {
  const returnTo = safeReturnTo(input.returnTo, deps.appBaseUrl);
  const state = random();
  const nonce = random();
  const binding = random();
  const { verifier, challenge } = await deps.signIn.pkce();
  await deps.requests.save(state, {
    nonce,
    codeVerifier: verifier,
    returnTo,
    bindingHash: sha256(binding),
    expiresAt: new Date(deps.now().getTime() + signInRequestMs),
  });
  const authorizeUrl = await deps.signIn.authorizationUrl({
    state,
    nonce,
    challenge,
    redirectUri: redirectUriOf(deps.appBaseUrl),
    ...(input.loginHint === undefined ? {} : { loginHint: input.loginHint }),
  });
  return {
    authorizeUrl,
    bindingCookie: deps.signInCookie.sign(binding),
    maxAgeSeconds: signInRequestMs / 1000,
  };
}

import { timingSafeEqual } from "node:crypto";
import { AppError } from "../../domain/errors";
import { principalFromClaims, sessionAbsoluteMs, type Principal } from "../../domain/auth/principal";
import type { IntegrationStore } from "../ports/integration-store";
import type { Signer } from "../ports/secret-box";
import type { SessionStore, SignInRequestStore } from "../ports/session-store";
import type { SignInClient } from "../ports/sign-in-client";
import type { TokenVerifier } from "../ports/token-verifier";
import type { UserTokenStore } from "../ports/user-token-store";
import { admitSignInPerson, type SignInPeople } from "./admit-sign-in-person";
import { random, redirectUriOf, sha256 } from "./start-sign-in";

export interface CompleteSignInDeps {
  readonly signIn: SignInClient;
  readonly requests: SignInRequestStore;
  readonly sessions: SessionStore;
  readonly integration: IntegrationStore;
  readonly verifier: TokenVerifier;
  readonly userTokens: UserTokenStore;
  /** The people directory: refuses people the sync disabled; holds people created at sign-in. */
  readonly people: SignInPeople;
  readonly signInCookie: Signer;
  readonly sessionCookie: Signer;
  readonly appBaseUrl: string;
  readonly now: () => Date;
}

export interface CallbackInput {
  readonly code?: string;
  readonly state?: string;
  /** `error` from Entra (the person cancelled, consent missing, …). */
  readonly error?: string;
  readonly bindingCookie?: string;
  readonly previousSessionCookie?: string;
}

const refused = (detail: string): AppError => new AppError("unauthenticated", detail);

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The sign-in callback: takes the pending request for `state` (once), checks it came back to the same
 * browser and in time, redeems the code with the PKCE verifier, verifies the id token (signature,
 * issuer, audience, tenant, nonce, lifetime), refuses a person the directory sync disabled or deleted
 * (modes without directory sync create or update the person here), keeps the delegated token cache, and
 * opens a new session (any previous one of this browser is ended: the session id rotates at every
 * sign-in).
 */
export async function completeSignIn(
  deps: CompleteSignInDeps,
  input: CallbackInput,
): Promise<{ principal: Principal; sessionCookie: string; maxAgeSeconds: number; returnTo: string }> {
  if (input.error !== undefined) throw refused("Microsoft Entra ID did not sign you in. Try again.");
  if (!input.state || !input.code) throw refused("The sign-in response is incomplete.");
  const pending = await deps.requests.take(input.state);
  if (pending === undefined) throw refused("This sign-in is unknown or was already used. Start again.");
  const binding =
    input.bindingCookie === undefined ? undefined : deps.signInCookie.verify(input.bindingCookie);
  if (binding === undefined || !sameHash(sha256(binding), pending.bindingHash)) {
    throw refused("This sign-in was started in another browser. Start again.");
  }
  if (pending.expiresAt.getTime() < deps.now().getTime())
    throw refused("The sign-in took too long. Start again.");
  const integration = await deps.integration.get();
  if (integration === undefined) throw new AppError("precondition-failed", "Sign-in is not set up yet.");

  const redeemed = await deps.signIn.redeemCode({
    code: input.code,
    state: input.state,
    nonce: pending.nonce,
    verifier: pending.codeVerifier,
    redirectUri: redirectUriOf(deps.appBaseUrl),
  });
  // MSAL decodes the id token without checking its signature: verify it ourselves.
  const claims = await deps.verifier.verifyIdToken(redeemed.idToken, integration, pending.nonce);
  const principal = principalFromClaims(claims, integration.adminGroupId);
  if (principal === undefined) throw refused("The id token does not name a person.");
  await admitSignInPerson(deps.people, integration.mode, principal.userId, claims);
  if (redeemed.tokenCache !== undefined) {
    await deps.userTokens.write(
      principal.userId,
      redeemed.tokenCache.homeAccountId,
      redeemed.tokenCache.serialized,
    );
  }

  if (input.previousSessionCookie !== undefined) {
    const previous = deps.sessionCookie.verify(input.previousSessionCookie);
    if (previous !== undefined) await deps.sessions.delete(previous);
  }
  const id = random();
  const now = deps.now();
  await deps.sessions.create(id, { principal, createdAt: now, lastSeenAt: now });
  return {
    principal,
    sessionCookie: deps.sessionCookie.sign(id),
    maxAgeSeconds: sessionAbsoluteMs / 1000,
    returnTo: pending.returnTo,
  };
}

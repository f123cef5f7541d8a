import { AppError } from "../../domain/errors";
import { principalFromClaims, sessionAbsoluteMs, type Principal } from "../../domain/auth/principal";
import type { IntegrationStore } from "../ports/integration-store";
import type { CookieSealer, Signer } from "../ports/secret-box";
import type { SessionStore, SignInRequestStore } from "../ports/session-store";
import type { SignInClient } from "../ports/sign-in-client";
import type { TokenVerifier } from "../ports/token-verifier";
import type { UserTokenStore } from "../ports/user-token-store";
import { admitSignInPerson, type SignInPeople } from "./admit-sign-in-person";
import { entraRefusal } from "./entra-refusal";
import { openPendingSignIn, random, redirectUriOf } from "./start-sign-in";

export interface CompleteSignInDeps {
  readonly signIn: SignInClient;
  readonly requests: SignInRequestStore;
  readonly sessions: SessionStore;
  readonly integration: IntegrationStore;
  readonly verifier: TokenVerifier;
  readonly userTokens: UserTokenStore;
  /** The people directory: refuses people the sync disabled; holds people created at sign-in. */
  readonly people: SignInPeople;
  readonly signInCookie: CookieSealer;
  readonly sessionCookie: Signer;
  readonly appBaseUrl: string;
  readonly now: () => Date;
}

export interface CallbackInput {
  readonly code?: string;
  readonly state?: string;
  /** `error` from Entra (the person cancelled, consent missing, …). */
  readonly error?: string;
  /** Entra's `error_description` (`AADSTS50057: …`): only its AADSTS code is read. */
  readonly error_description?: string;
  readonly bindingCookie?: string;
  readonly previousSessionCookie?: string;
}

const refused = (detail: string): AppError => new AppError("unauthenticated", detail);

/**
 * The sign-in callback: opens the pending sign-in from this browser's sealed cookie (so the callback
 * must come back to the browser that started it) and checks its `state` and lifetime, refuses a
 * sign-in already completed once, redeems the code with the PKCE verifier, verifies the id token
 * (signature, issuer, audience, tenant, nonce, lifetime), refuses a person the directory sync disabled
 * or deleted (modes without directory sync create or update the person here), records the sign-in as
 * used (the only write before the session, so refused callbacks write nothing), keeps the delegated
 * token cache, and opens a new session (any previous one of this browser is ended: the session id
 * rotates at every sign-in).
 */
export async function completeSignIn(
  deps: CompleteSignInDeps,
  input: CallbackInput,
): Promise<{ principal: Principal; sessionCookie: string; maxAgeSeconds: number; returnTo: string }> {
  if (input.error !== undefined) throw entraRefusal(input.error, input.error_description);
  if (!input.state || !input.code) throw refused("The sign-in response is incomplete.");
  const pending =
    input.bindingCookie === undefined ? undefined : openPendingSignIn(deps.signInCookie, input.bindingCookie);
  if (pending === undefined || pending.state !== input.state) {
    throw refused("This sign-in is unknown or was started in another browser. Start again.");
  }
  if (pending.expiresAt.getTime() < deps.now().getTime())
    throw refused("The sign-in took too long. Start again.");
  if (await deps.requests.used(input.state)) throw refused("This sign-in was already used. Start again.");
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
  if (!(await deps.requests.markUsed(input.state, pending.expiresAt)))
    throw refused("This sign-in was already used. Start again.");
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

import { AppError } from "../../domain/errors";
import {
  isAdmin,
  principalFromClaims,
  sessionAbsoluteMs,
  sessionIdleMs,
  sessionTouchMs,
  type Principal,
} from "../../domain/auth/principal";
import type { IntegrationStore } from "../ports/integration-store";
import type { PeopleStore } from "../ports/sync-store";
import { accessRefused, personAccess } from "../sync/person-access";
import type { Signer } from "../ports/secret-box";
import type { SessionStore } from "../ports/session-store";
import type { TokenVerifier } from "../ports/token-verifier";

export interface AuthenticateDeps {
  readonly integration: IntegrationStore;
  readonly sessions: SessionStore;
  readonly sessionCookie: Signer;
  readonly verifier: TokenVerifier;
  readonly now: () => Date;
  /** The synced directory: people it marks disabled or deleted lose access at once. */
  readonly people: Pick<PeopleStore, "person">;
}

export interface Credentials {
  /** The `Authorization: Bearer` token, if any. */
  readonly bearer?: string;
  /** The signed session cookie value, if any. */
  readonly sessionCookie?: string;
}

const signInRequired = (detail = "Sign in to ONES."): AppError => new AppError("unauthenticated", detail);

/**
 * Who is calling: an Entra access token for the ONES API (Bearer) wins over the session cookie. Admin
 * rights are worked out on each request from the token's or session's roles and groups and the
 * configured admin group, so changing that group takes effect at once.
 */
export async function authenticate(deps: AuthenticateDeps, credentials: Credentials): Promise<Principal> {
  const principal = await identify(deps, credentials);
  const access = await personAccess(deps.people, principal.userId);
  if (!access.allowed) throw accessRefused(access.status);
  return principal;
}

/** The caller's identity from their credentials, before the directory has its say. */
async function identify(deps: AuthenticateDeps, credentials: Credentials): Promise<Principal> {
  const integration = await deps.integration.get();
  if (credentials.bearer !== undefined) {
    if (integration === undefined) throw signInRequired("Sign-in is not set up yet.");
    const claims = await deps.verifier.verifyAccessToken(credentials.bearer, integration);
    if (typeof claims.scp !== "string" && !Array.isArray(claims.roles)) {
      throw signInRequired("The token carries neither scopes nor roles for ONES.");
    }
    const principal = principalFromClaims(claims, integration.adminGroupId);
    if (principal === undefined) throw signInRequired("The token does not name a person.");
    return principal;
  }
  if (credentials.sessionCookie === undefined) throw signInRequired();
  const id = deps.sessionCookie.verify(credentials.sessionCookie);
  if (id === undefined) throw signInRequired("The session is not valid. Sign in again.");
  const session = await deps.sessions.get(id);
  if (session === undefined) throw signInRequired("The session has ended. Sign in again.");
  const now = deps.now().getTime();
  if (
    now - session.createdAt.getTime() > sessionAbsoluteMs ||
    now - session.lastSeenAt.getTime() > sessionIdleMs ||
    (integration !== undefined && session.principal.tenantId !== integration.tenantId)
  ) {
    await deps.sessions.delete(id);
    throw signInRequired("The session has expired. Sign in again.");
  }
  if (now - session.lastSeenAt.getTime() > sessionTouchMs) await deps.sessions.touch(id, deps.now());
  const p = session.principal;
  return { ...p, isAdmin: isAdmin(p.roles, p.groups, integration?.adminGroupId) };
}

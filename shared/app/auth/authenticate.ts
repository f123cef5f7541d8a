import { AppError } from "../../domain/errors";
import {
  adminAppRole,
  isAdmin,
  principalFromClaims,
  sessionAbsoluteMs,
  sessionIdleMs,
  sessionTouchMs,
  type Principal,
} from "../../domain/auth/principal";
import type { IntegrationSettings, IntegrationStore } from "../ports/integration-store";
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
  /**
   * The synced directory: people it marks disabled or deleted lose access at once, and so do admins
   * it no longer finds in the admin group.
   */
  readonly people: Pick<PeopleStore, "person" | "groups" | "membersOf">;
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
 * configured admin group, so changing that group takes effect at once; and where the directory sync
 * knows the admin group, a person it no longer lists there is not an admin, even though the groups
 * their session or token was issued with still say so.
 */
export async function authenticate(deps: AuthenticateDeps, credentials: Credentials): Promise<Principal> {
  const integration = await deps.integration.get();
  const principal = await identify(deps, credentials, integration);
  const access = await personAccess(deps.people, principal.userId);
  if (!access.allowed) throw accessRefused(access.status);
  if (
    principal.isAdmin &&
    !principal.roles.includes(adminAppRole) &&
    integration?.adminGroupId !== undefined &&
    (await adminGroupMembership(deps.people, integration.adminGroupId, principal.userId)) === "removed"
  ) {
    return { ...principal, isAdmin: false };
  }
  return principal;
}

/** Nested admin groups are followed this deep (Entra's `groups` claim is transitive). */
const MAX_GROUP_DEPTH = 4;

/**
 * Whether the synced directory still lists the person in the admin group, directly or through nested
 * groups: `unknown` when the directory sync has not stored the group (another mode, or not synced
 * yet), so the token's or session's groups decide.
 */
async function adminGroupMembership(
  people: Pick<PeopleStore, "groups" | "membersOf">,
  adminGroupId: string,
  userId: string,
): Promise<"member" | "removed" | "unknown"> {
  const group = (await people.groups([adminGroupId])).get(adminGroupId);
  if (group === undefined) return "unknown";
  if (group.status !== "active") return "removed";
  const seen = new Set<string>();
  let level = [adminGroupId];
  for (let depth = 0; depth < MAX_GROUP_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const groupId of level) {
      seen.add(groupId);
      for (const member of await people.membersOf(groupId)) {
        if (member.memberType === "user" && member.memberId === userId) return "member";
        if (member.memberType === "group" && !seen.has(member.memberId)) next.push(member.memberId);
      }
    }
    level = next;
  }
  return "removed";
}

/** The caller's identity from their credentials, before the directory has its say. */
async function identify(
  deps: AuthenticateDeps,
  credentials: Credentials,
  integration: IntegrationSettings | undefined,
): Promise<Principal> {
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

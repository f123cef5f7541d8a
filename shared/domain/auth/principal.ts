/** The person (or app) behind a request, from a session or a validated Entra access token. */
export interface Principal {
  /** The ONES user id: the person's Entra object id (stable, the same in sign-in and directory sync). */
  readonly userId: string;
  readonly tenantId: string;
  readonly objectId: string;
  readonly email: string;
  readonly name: string;
  /** App roles from the token (`roles`). */
  readonly roles: readonly string[];
  /** Group object ids from the token (`groups`). */
  readonly groups: readonly string[];
  readonly isAdmin: boolean;
}

/** The app role (defined in the app registration's manifest) that makes a person a ONES admin. */
export const adminAppRole = "ONES.Admin";

/** The claims of an id or access token that ONES reads. */
export interface IdentityClaims {
  readonly oid?: unknown;
  readonly tid?: unknown;
  readonly name?: unknown;
  readonly preferred_username?: unknown;
  readonly email?: unknown;
  readonly upn?: unknown;
  readonly unique_name?: unknown;
  readonly roles?: unknown;
  readonly groups?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** Admins hold the app role or belong to the configured admin group. */
export function isAdmin(roles: readonly string[], groups: readonly string[], adminGroupId?: string): boolean {
  if (roles.includes(adminAppRole)) return true;
  return (
    adminGroupId !== undefined &&
    adminGroupId !== "" &&
    groups.some((g) => g.toLowerCase() === adminGroupId.toLowerCase())
  );
}

/** A principal from validated claims; undefined when the object or tenant id is missing. */
export function principalFromClaims(claims: IdentityClaims, adminGroupId?: string): Principal | undefined {
  const objectId = text(claims.oid);
  const tenantId = text(claims.tid);
  if (objectId === undefined || tenantId === undefined) return undefined;
  const email =
    text(claims.email) ??
    text(claims.preferred_username) ??
    text(claims.upn) ??
    text(claims.unique_name) ??
    "";
  const roles = list(claims.roles);
  const groups = list(claims.groups);
  return {
    userId: objectId,
    tenantId,
    objectId,
    email,
    name: text(claims.name) ?? email,
    roles,
    groups,
    isAdmin: isAdmin(roles, groups, adminGroupId),
  };
}

/** Session lifetimes: idle timeout and absolute limit, counted from sign-in. */
export const sessionIdleMs = 8 * 60 * 60 * 1000;
export const sessionAbsoluteMs = 24 * 60 * 60 * 1000;
/** The last-seen time is written at most this often, to spare a table write per request. */
export const sessionTouchMs = 5 * 60 * 1000;
/** How long a started sign-in may take until the callback. */
export const signInRequestMs = 10 * 60 * 1000;

import type { IdentityClaims } from "../auth/principal";
import { hasCapability } from "../integration/capabilities";
import type { IntegrationMode } from "../integration/modes";
import { blankPerson, type Person } from "./person";

/**
 * Whether signing in creates and updates the person in ONES's people directory: in the modes that have
 * people but no directory sync (the capability table's "sign-in-user-sync" without "directory-sync":
 * delegated and delegated resource only). In application mode the directory sync owns people; the
 * application resource only mode has no people at all (no directory access).
 */
export function peopleFromSignIn(mode: IntegrationMode): boolean {
  return hasCapability(mode, "sign-in-user-sync") && !hasCapability(mode, "directory-sync");
}

/**
 * The person as a verified id token names them, over what ONES already holds (fields the token does not
 * carry are kept). Always active: only people who may sign in get here.
 */
export function personFromSignIn(id: string, claims: IdentityClaims, previous: Person | undefined): Person {
  const upn = (text(claims.upn) ?? text(claims.preferred_username))?.toLowerCase();
  const email = (text(claims.email) ?? upn)?.toLowerCase();
  const { removedReason: _removed, ...kept } = previous ?? blankPerson(id, "active");
  return {
    ...kept,
    id,
    displayName: text(claims.name) ?? email ?? kept.displayName,
    email: email ?? kept.email,
    userPrincipalName: upn ?? kept.userPrincipalName,
    status: "active",
    source: "sign-in",
  };
}

function text(value: unknown): string | undefined {
  const t = typeof value === "string" ? value.trim() : "";
  return t === "" ? undefined : t;
}

import type { Principal } from "../../domain/auth/principal";
import { modePermissions, type IntegrationMode } from "../../domain/integration/modes";
import type { IntegrationStore } from "../ports/integration-store";
import type { DelegatedSignInState, UserTokenStore } from "../ports/user-token-store";

export interface Me extends Principal {
  readonly mode?: IntegrationMode;
  /** Delegated modes: whether ONES holds a working token of the person. */
  readonly delegatedSignIn?: DelegatedSignInState;
  /** True when the person must sign in again so ONES can act for them (delegated modes). */
  readonly needsSignIn: boolean;
}

/** GET /api/me: the person, their groups and roles, and whether a new sign-in is needed. */
export async function describeMe(
  deps: { integration: IntegrationStore; userTokens: UserTokenStore },
  principal: Principal,
): Promise<Me> {
  const integration = await deps.integration.get();
  const base = {
    userId: principal.userId,
    tenantId: principal.tenantId,
    objectId: principal.objectId,
    email: principal.email,
    name: principal.name,
    roles: principal.roles,
    groups: principal.groups,
    isAdmin: principal.isAdmin,
  };
  if (integration === undefined) return { ...base, needsSignIn: false };
  if (modePermissions[integration.mode].kind !== "delegated") {
    return { ...base, mode: integration.mode, needsSignIn: false };
  }
  const state = await deps.userTokens.state(principal.userId);
  return { ...base, mode: integration.mode, delegatedSignIn: state, needsSignIn: state !== "ok" };
}

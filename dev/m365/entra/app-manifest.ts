import type { AppRegistration, UserRecord } from "../store/types";
import type { TenantStore } from "../store/tenant-store";

/**
 * App-registration settings that only Entra reads (the manifest's `groupMembershipClaims`,
 * `accessTokenAcceptedVersion` and "Expose an API"), added to the registration type by declaration
 * merging so the store stays Entra-agnostic.
 */
export type GroupMembershipClaims = "None" | "SecurityGroup" | "All" | "DirectoryRole" | "ApplicationGroup";

declare module "../store/types" {
  interface AppRegistration {
    /** Which groups id and access tokens carry in `groups`; absent or "None": no `groups` claim. */
    groupMembershipClaims?: GroupMembershipClaims;
    /** Delegated scopes the app's own API exposes (`api://{clientId}/{scope}`), e.g. `access_as_user`. */
    apiScopes?: string[];
    /** Format of access tokens for the app's API: 1 (Entra's default when unset) or 2. */
    accessTokenAcceptedVersion?: 1 | 2;
  }
}

/**
 * The `groups` claim for `user` in tokens of `app`: only when the registration asks for group claims
 * (Entra's default is none). "SecurityGroup" lists security groups, "All" every group; directory roles
 * and app-assigned groups are not modelled, so those settings list none.
 */
export function groupsClaim(
  store: TenantStore,
  app: AppRegistration,
  user: UserRecord,
): string[] | undefined {
  const setting = app.groupMembershipClaims ?? "None";
  if (setting !== "SecurityGroup" && setting !== "All") return undefined;
  const ids = store.groupsOfUser(user.id).filter((id) => {
    const group = store.groups.get(id);
    return setting === "All" || group?.data.securityEnabled === true;
  });
  return ids.length > 0 ? ids : undefined;
}

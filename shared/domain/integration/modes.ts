/**
 * The four integration modes an admin chooses between (ARCHITECTURE.md §2). Each holds a different set
 * of Microsoft Graph permissions, which decides what ONES may do; the capability table built on this
 * (capabilities.ts) is what every use case asks before it acts.
 */
export const integrationModes = [
  "application",
  "delegated",
  "delegated-resource-only",
  "application-resource-only",
] as const;

export type IntegrationMode = (typeof integrationModes)[number];

/** Application permissions (app roles, client credentials) and delegated scopes (a user's token). */
export interface ModePermissions {
  readonly kind: "application" | "delegated";
  /** Graph permissions the admin must grant with admin consent. */
  readonly graph: readonly string[];
}

export const modePermissions: Record<IntegrationMode, ModePermissions> = {
  application: {
    kind: "application",
    graph: ["Calendars.ReadWrite", "User.Read.All", "Group.Read.All", "Place.Read.All"],
  },
  delegated: { kind: "delegated", graph: ["Calendars.ReadWrite.Shared"] },
  "delegated-resource-only": { kind: "delegated", graph: ["Calendars.ReadWrite.Shared"] },
  "application-resource-only": { kind: "application", graph: ["Calendars.ReadWrite", "Place.Read.All"] },
};

/** Scopes every staff sign-in asks for (OpenID Connect), whatever the mode. */
export const signInScopes = ["openid", "profile", "offline_access"] as const;

export function isIntegrationMode(value: string): value is IntegrationMode {
  return (integrationModes as readonly string[]).includes(value);
}

import { OAuthError } from "../http/errors";
import type { TenantStore } from "../store/tenant-store";

export type TenantRef = { kind: "tenant" } | { kind: "multi"; name: "common" | "organizations" };

/** Resolves the `{tenant}` path segment of an authority: tenant id, verified domain, common/organizations. */
export function resolveTenant(store: TenantStore, segment: string): TenantRef {
  const s = segment.toLowerCase();
  if (s === "common" || s === "organizations") return { kind: "multi", name: s };
  if (s === store.tenantId.toLowerCase() || store.domains.some((d) => d.toLowerCase() === s))
    return { kind: "tenant" };
  if (s === "consumers") {
    throw new OAuthError(
      400,
      "invalid_request",
      9002331,
      "Application is configured for use by Microsoft Account users only. Please use the /consumers endpoint to serve this request.",
    );
  }
  throw new OAuthError(
    400,
    "invalid_tenant",
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

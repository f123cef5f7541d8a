import { requirePermission } from "../auth/permissions";
import { contextUrl } from "../http/odata";
import type { Router, RouteModule } from "../http/router";
import type { RequestContext, SimResponse } from "../http/context";
import { graphErrors } from "../http/errors";

/**
 * GET /organization and /organization/{id}: the tenant with its verified domains. Permissions as
 * documented (https://learn.microsoft.com/graph/api/organization-get): delegated User.Read,
 * Organization.Read.All, Directory.Read.All (+ ReadWrite); application Organization.Read.All,
 * Directory.Read.All (+ ReadWrite). With delegated User.Read only id, displayName and verifiedDomains
 * carry values, which is all the simulator serves anyway.
 */
const ORGANIZATION_READ = {
  application: [
    "Organization.Read.All",
    "Directory.Read.All",
    "Organization.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  delegated: [
    "User.Read",
    "Organization.Read.All",
    "Directory.Read.All",
    "Organization.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
};

function organization(ctx: RequestContext): Record<string, unknown> {
  const store = ctx.sim.store;
  return {
    id: store.tenantId,
    displayName: store.displayName,
    verifiedDomains: store.domains.map((name, i) => ({
      capabilities: "Email, OfficeCommunicationsOnline",
      isDefault: i === 0,
      isInitial: false,
      name,
      type: "Managed",
    })),
  };
}

function list(ctx: RequestContext): SimResponse {
  requirePermission(ctx, ORGANIZATION_READ, "directory");
  return {
    status: 200,
    body: { "@odata.context": contextUrl(ctx, "organization"), value: [organization(ctx)] },
  };
}

function one(ctx: RequestContext): SimResponse {
  requirePermission(ctx, ORGANIZATION_READ, "directory");
  if ((ctx.params.id ?? "").toLowerCase() !== ctx.sim.store.tenantId.toLowerCase())
    throw graphErrors.resourceNotFound(ctx.params.id ?? "");
  return {
    status: 200,
    body: { "@odata.context": contextUrl(ctx, "organization/$entity"), ...organization(ctx) },
  };
}

export const organizationRoutes: RouteModule = {
  name: "organization",
  register(router: Router) {
    router.graph("GET", "/organization", list);
    router.graph("GET", "/organization/{id}", one);
  },
};

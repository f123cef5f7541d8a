import type { Principal } from "../../domain/auth/principal";
import { currentAccess, type IntegrationAccessDeps } from "../integration/integration-access";
import type { RoomStore } from "../ports/sync-store";

export interface TenantDomainsDeps extends IntegrationAccessDeps {
  readonly rooms: Pick<RoomStore, "roomEmails">;
}

export interface TenantDomains {
  readonly domains: readonly string[];
  /** `graph`: the tenant's verified domains (GET /organization); `known`: domains ONES has seen in the tenant. */
  readonly source: "graph" | "known";
  readonly note: string;
}

const domainOf = (address: string): string | undefined => {
  const at = address.lastIndexOf("@");
  return at < 0 ? undefined : address.slice(at + 1).toLowerCase();
};

/**
 * The tenant's verified domains. `GET /organization` needs Organization.Read.All or Directory.Read.All as
 * an application permission, or User.Read delegated (https://learn.microsoft.com/graph/api/organization-get),
 * which the application modes' permission sets do not include. Without it, the domains of the rooms'
 * mailboxes stand in (rooms come from the tenant's directory, so their domains are verified ones). The
 * admin's own address is not used: a guest admin's address is in their home tenant's domain.
 */
export async function tenantDomains(deps: TenantDomainsDeps, admin: Principal): Promise<TenantDomains> {
  const access = await currentAccess(deps, admin);
  if (access.ok) {
    const verified = await access.probes.verifiedDomains();
    if (verified.ok && verified.domains.length > 0) {
      return {
        domains: verified.domains,
        source: "graph",
        note: "The tenant's verified domains (Microsoft Graph).",
      };
    }
  }
  const known = new Set<string>();
  for (const email of await deps.rooms.roomEmails()) {
    const d = domainOf(email);
    if (d !== undefined) known.add(d);
  }
  return {
    domains: [...known].sort(),
    source: "known",
    note: "The integration's permissions cannot read the tenant's verified domains (that needs Organization.Read.All), so the domains of the tenant's rooms were used.",
  };
}

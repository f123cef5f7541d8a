import type { CrossDomainSettings, CrossDomainStore } from "../ports/cross-domain-store";

/** GET /api/admin/settings/cross-domain. */
export async function getCrossDomainSettings(deps: {
  readonly crossDomain: CrossDomainStore;
}): Promise<CrossDomainSettings> {
  return deps.crossDomain.get();
}

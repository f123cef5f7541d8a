import { OAuthError } from "../http/errors";
import { CLOUDS, GRAPH_APP_ID } from "./clouds";
import type { CloudName } from "../store/types";

export const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"] as const;

export interface ParsedScopes {
  /** Graph permission names requested (without resource prefix); `.default` → ["/.default"]. */
  graph: string[];
  isDefault: boolean;
  oidc: string[];
  /** Cloud of the Graph resource named in the scopes (prefix), or the request's cloud if unprefixed. */
  cloud: CloudName;
  /** The scopes as requested, for echoing back. */
  raw: string[];
}

const RESOURCE_PREFIXES: Array<[string, CloudName]> = [
  [`${CLOUDS.global.graphAudience}/`, "global"],
  [`${CLOUDS.china.graphAudience}/`, "china"],
  [`${GRAPH_APP_ID}/`, "global"],
];

/** Splits a `scope` parameter into Graph permissions and OIDC scopes; other resources are refused. */
export function parseScopes(scope: string, requestCloud: CloudName, tenantName: string): ParsedScopes {
  const raw = scope.split(/\s+/).filter(Boolean);
  const out: ParsedScopes = { graph: [], isDefault: false, oidc: [], cloud: requestCloud, raw };
  for (const s of raw) {
    if ((OIDC_SCOPES as readonly string[]).includes(s.toLowerCase())) {
      out.oidc.push(s.toLowerCase());
      continue;
    }
    let name = s;
    const prefix = RESOURCE_PREFIXES.find(([p]) => s.toLowerCase().startsWith(p));
    if (prefix) {
      name = s.slice(prefix[0].length);
      out.cloud = prefix[1];
    } else if (s.includes("://") || s.includes("/")) {
      const resource = s.replace(/\/[^/]*$/, "");
      throw new OAuthError(
        400,
        "invalid_resource",
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    if (name === ".default") out.isDefault = true;
    else out.graph.push(name);
  }
  return out;
}

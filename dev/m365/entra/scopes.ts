import { OAuthError } from "../http/errors";
import { CLOUDS, GRAPH_APP_ID } from "./clouds";
import type { AppRegistration, CloudName } from "../store/types";

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
  /** Set when the scopes name an app's own API (`api://{clientId}/…` or `{clientId}/…`) instead of Graph. */
  api?: { app: AppRegistration; resource: string; scopes: string[]; isDefault: boolean };
}

/** Finds the app registration whose API a resource identifier names (`api://{clientId}` or the bare id). */
export type ApiResolver = (resource: string) => AppRegistration | undefined;

const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function apiResolver(apps: ReadonlyMap<string, AppRegistration>): ApiResolver {
  return (resource) => {
    const id = resource.toLowerCase().startsWith("api://") ? resource.slice("api://".length) : resource;
    return CLIENT_ID.test(id) ? (apps.get(id.toLowerCase()) ?? apps.get(id)) : undefined;
  };
}

function moreThanOneResource(): OAuthError {
  return new OAuthError(
    400,
    "invalid_request",
    28000,
    "Provided value for the input parameter scope is not valid because it contains more than one resource.",
  );
}

const RESOURCE_PREFIXES: Array<[string, CloudName]> = [
  [`${CLOUDS.global.graphAudience}/`, "global"],
  [`${CLOUDS.china.graphAudience}/`, "china"],
  [`${GRAPH_APP_ID}/`, "global"],
];

/**
 * Splits a `scope` parameter into Graph permissions (or one app API's scopes, when `findApi` knows the
 * resource) and OIDC scopes; other resources are refused, and so is a mix of resources.
 */
export function parseScopes(
  scope: string,
  requestCloud: CloudName,
  tenantName: string,
  findApi: ApiResolver = () => undefined,
): ParsedScopes {
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
      const app = findApi(resource);
      if (app) {
        const name = s.slice(resource.length + 1);
        out.api ??= { app, resource, scopes: [], isDefault: false };
        if (out.api.app !== app || out.graph.length > 0 || out.isDefault) throw moreThanOneResource();
        if (name === ".default") out.api.isDefault = true;
        else out.api.scopes.push(name);
        continue;
      }
      throw new OAuthError(
        400,
        "invalid_resource",
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    if (out.api) throw moreThanOneResource();
    if (name === ".default") out.isDefault = true;
    else out.graph.push(name);
  }
  return out;
}

import {
  AuthError,
  ConfidentialClientApplication,
  ServerError,
  type ICachePlugin,
  type TokenCacheContext,
} from "@azure/msal-node";
import { decodeJwt } from "jose";
import type { IntegrationSettings } from "../../app/ports/integration-store";
import type {
  AccessResult,
  DelegatedAccessResult,
  GraphProbes,
  Registration,
  RegistrationAccess,
} from "../../app/ports/registration-access";
import type { UserTokenStore } from "../../app/ports/user-token-store";
import type { CloudEndpoints } from "../../domain/integration/cloud";
import type { CredentialFailure } from "../../domain/integration/permission-report";
import { GraphRegistrationProbes } from "../graph/graph-registration-probes";
import {
  configuration,
  entraTarget,
  msalErrorCode,
  needsInteraction,
  plainApp,
  type EntraTarget,
} from "./msal-apps";

/**
 * Tokens for the integration test, through MSAL Node, for a registration that may not be saved yet.
 * App tokens are always fresh (`skipCache`), so a permission granted or removed a moment ago shows.
 * Delegated: the user's stored cache is loaded into a throw-away app and renewed with `/.default`, which
 * brings every delegated permission the registration holds into `scp`; the renewed cache (rotated refresh
 * token) is written back only when renewal worked, and a failure never flags the user.
 */
export class MsalRegistrationAccess implements RegistrationAccess {
  constructor(
    private readonly users: UserTokenStore,
    private readonly overrides: Partial<CloudEndpoints>,
  ) {}

  async app(registration: Registration): Promise<AccessResult> {
    const target = this.target(registration);
    const app = plainApp(asSettings(registration), target, registration.clientSecret);
    try {
      const result = await app.acquireTokenByClientCredential({
        scopes: [`${target.graphResource}/.default`],
        skipCache: true,
      });
      if (!result?.accessToken)
        return { ok: false, failure: "rejected", detail: "Entra ID returned no token." };
      return { ok: true, probes: this.probes(target, result.accessToken, "roles") };
    } catch (error) {
      return credentialFailure(error);
    }
  }

  async delegated(registration: Registration, userId: string): Promise<DelegatedAccessResult> {
    const stored = await this.users.read(userId);
    if (stored === undefined) return noUserToken("You have no stored Microsoft sign-in to test with.");
    const target = this.target(registration);
    let renewed: string | undefined;
    const plugin: ICachePlugin = {
      beforeCacheAccess: (context: TokenCacheContext) => {
        if (renewed === undefined) context.tokenCache.deserialize(stored.cache);
        return Promise.resolve();
      },
      afterCacheAccess: (context: TokenCacheContext) => {
        if (context.cacheHasChanged) renewed = context.tokenCache.serialize();
        return Promise.resolve();
      },
    };
    const app = new ConfidentialClientApplication(
      configuration(registration, target, registration.clientSecret, plugin),
    );
    try {
      const account = await app.getTokenCache().getAccountByHomeId(stored.homeAccountId);
      if (account === null) return noUserToken("Your stored Microsoft sign-in holds no account.");
      const result = await app.acquireTokenSilent({
        account,
        scopes: [`${target.graphResource}/.default`],
        forceRefresh: true,
      });
      // Written back only over the row renewed (a sign-in meanwhile wins).
      if (renewed !== undefined)
        await this.users.write(userId, stored.homeAccountId, renewed, stored.version);
      return { ok: true, probes: this.probes(target, result.accessToken, "scp") };
    } catch (error) {
      if (needsInteraction(error)) {
        return noUserToken(
          `Your stored Microsoft sign-in cannot be renewed for this app registration (${msalErrorCode(error)}): it belongs to another registration, expired, or lacks consent.`,
        );
      }
      return credentialFailure(error);
    }
  }

  private target(registration: Registration): EntraTarget {
    return entraTarget(asSettings(registration), this.overrides);
  }

  private probes(target: EntraTarget, token: string, claim: "roles" | "scp"): GraphProbes {
    return new GraphRegistrationProbes(target.graphBaseUrl, token, permissionsOf(token, claim));
  }
}

function asSettings(registration: Registration): IntegrationSettings {
  // entraTarget and plainApp read only the cloud, tenant and client id.
  return {
    name: "",
    cloud: registration.cloud,
    tenantId: registration.tenantId,
    clientId: registration.clientId,
    mode: "application",
    updatedAt: new Date(0),
  };
}

/** `roles` or the space-separated `scp` of a Graph access token (read, not verified: it came from Entra). */
function permissionsOf(token: string, claim: "roles" | "scp"): string[] {
  try {
    const claims = decodeJwt(token);
    const value = claims[claim];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
    if (typeof value === "string") return value.split(/\s+/).filter((v) => v !== "");
    return [];
  } catch {
    return [];
  }
}

function noUserToken(detail: string): DelegatedAccessResult {
  return { ok: false, failure: "no-user-token", detail };
}

/** MSAL failures of the registration itself, by code only (never Entra's message text). */
function credentialFailure(error: unknown): AccessResult {
  const code = msalErrorCode(error);
  const failure: CredentialFailure =
    code === "invalid_client" || code === "unauthorized_client"
      ? "invalid-client"
      : code === "invalid_tenant" || code === "endpoints_resolution_error" || /tenant/i.test(code)
        ? "unknown-tenant"
        : error instanceof ServerError || (error instanceof AuthError && !/network|timeout/i.test(code))
          ? "rejected"
          : "unreachable";
  const detail: Record<CredentialFailure, string> = {
    "invalid-client": `Entra ID refused the client id or secret (${code}). Check both, and the secret's expiry.`,
    "unknown-tenant": `Entra ID does not know this tenant for the chosen service operator (${code}).`,
    rejected: `Entra ID refused the token request (${code}).`,
    unreachable: `Entra ID could not be reached (${code}).`,
  };
  return { ok: false, failure, detail: detail[failure] };
}

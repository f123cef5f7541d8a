import {
  AuthError,
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  type Configuration,
  type ICachePlugin,
} from "@azure/msal-node";
import type { IntegrationSettings } from "../../app/ports/integration-store";
import type { SignInFailure } from "../../domain/auth/sign-in-lapse";
import { cloudEndpoints, type CloudEndpoints } from "../../domain/integration/cloud";

/** Where the tenant's Entra ID and Graph are, for one integration (cloud + tenant + overrides). */
export interface EntraTarget {
  readonly authority: string;
  readonly loginBaseUrl: string;
  readonly graphBaseUrl: string;
  /** Graph's resource URI of the cloud (token scopes), which the overrides never change. */
  readonly graphResource: string;
  /** The simulator's host when LOGIN_BASE_URL points at it; MSAL then skips instance discovery. */
  readonly knownAuthorities: string[];
}

export function entraTarget(
  integration: IntegrationSettings,
  overrides: Partial<CloudEndpoints>,
): EntraTarget {
  const endpoints = cloudEndpoints(integration.cloud, overrides);
  const tenant = integration.tenantId;
  return {
    // Tenant-specific authority: client credentials refuse `common` / `organizations`.
    authority: `${endpoints.loginBaseUrl}/${tenant}`,
    loginBaseUrl: endpoints.loginBaseUrl,
    graphBaseUrl: endpoints.graphBaseUrl,
    graphResource: cloudEndpoints(integration.cloud).graphBaseUrl,
    knownAuthorities: overrides.loginBaseUrl === undefined ? [] : [new URL(endpoints.loginBaseUrl).host],
  };
}

/**
 * The one MSAL configuration of every confidential client ONES builds: the registration's client id and
 * secret, the tenant-specific authority (and the simulator's host as known authority), any cache plugin
 * (a user's encrypted row, a capture of what a sign-in cached, a throw-away test cache), and no logging.
 */
export function configuration(
  registration: Pick<IntegrationSettings, "clientId">,
  target: EntraTarget,
  clientSecret: string,
  cachePlugin?: ICachePlugin,
): Configuration {
  return {
    auth: {
      clientId: registration.clientId,
      clientSecret,
      authority: target.authority,
      ...(target.knownAuthorities.length > 0 ? { knownAuthorities: target.knownAuthorities } : {}),
    },
    ...(cachePlugin === undefined ? {} : { cache: { cachePlugin } }),
    // MSAL logs nothing: its messages can carry personal data and we log ids only.
    system: { loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false } },
  };
}

/** An app without a persistent cache (app-only tokens stay in its in-memory cache; sign-in). */
export function plainApp(
  integration: IntegrationSettings,
  target: EntraTarget,
  clientSecret: string,
): ConfidentialClientApplication {
  return new ConfidentialClientApplication(configuration(integration, target, clientSecret));
}

/**
 * A fresh app whose cache is one user's MSAL cache, as already read from `tokenCache` (so a Graph call
 * reads the row once). A renewal that changed the cache (new access token, rotated refresh token) is
 * handed to `onChange`, which writes it back. One instance per user and operation, so no user's tokens
 * stay in a shared in-memory cache.
 */
export function userCacheApp(
  integration: IntegrationSettings,
  target: EntraTarget,
  clientSecret: string,
  cache: string,
  onChange: (serialized: string) => Promise<void>,
): ConfidentialClientApplication {
  let loaded = false;
  const plugin: ICachePlugin = {
    beforeCacheAccess: (context) => {
      // Once: later accesses must see what MSAL renewed in memory, not the row as it was read.
      if (!loaded) context.tokenCache.deserialize(cache);
      loaded = true;
      return Promise.resolve();
    },
    afterCacheAccess: async (context) => {
      if (context.cacheHasChanged) await onChange(context.tokenCache.serialize());
    },
  };
  return new ConfidentialClientApplication(configuration(integration, target, clientSecret, plugin));
}

/** The refresh token no longer works (revoked, expired, consent withdrawn, nothing cached). */
export function needsInteraction(error: unknown): boolean {
  if (error instanceof InteractionRequiredAuthError) return true;
  if (!(error instanceof AuthError)) return false;
  return [
    "invalid_grant",
    "no_tokens_found",
    "refresh_token_expired",
    "bad_token",
    "no_account_in_silent_request",
  ].includes(error.errorCode);
}

/** A short, safe description of an MSAL failure for logs and problems: codes only, no server text. */
export function msalErrorCode(error: unknown): string {
  if (error instanceof AuthError) return error.errorCode || error.name;
  return error instanceof Error ? error.name : "unknown";
}

/** The codes of a failed silent renewal (MSAL code, Entra suberror, AADSTS number); no server text. */
export function msalFailure(error: unknown): SignInFailure {
  const code = msalErrorCode(error);
  if (!(error instanceof AuthError)) return { code };
  // `errorNo` is Entra's `error_codes[0]`: typed a string, a JSON number on the wire.
  const raw = (error as AuthError & { errorNo?: unknown }).errorNo;
  const errorNo = typeof raw === "number" || typeof raw === "string" ? String(raw) : "";
  return {
    code,
    ...(error.subError ? { subError: error.subError } : {}),
    ...(/^\d{1,9}$/.test(errorNo) ? { aadsts: errorNo } : {}),
  };
}

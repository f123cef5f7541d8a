import {
  AuthError,
  ConfidentialClientApplication,
  DistributedCachePlugin,
  InteractionRequiredAuthError,
  type Configuration,
  type ICacheClient,
  type IPartitionManager,
} from "@azure/msal-node";
import type { IntegrationSettings } from "../../app/ports/integration-store";
import type { UserTokenStore } from "../../app/ports/user-token-store";
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

function configuration(
  integration: IntegrationSettings,
  target: EntraTarget,
  clientSecret: string,
  cachePlugin?: DistributedCachePlugin,
): Configuration {
  return {
    auth: {
      clientId: integration.clientId,
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
 * A fresh app whose cache is one user's encrypted row in `tokenCache`, through MSAL's
 * `DistributedCachePlugin`. One instance per user and operation, so no user's tokens stay in a shared
 * in-memory cache. `userId` is unknown at sign-in: the partition is then taken from the account MSAL
 * just cached (its object id).
 */
export function userCacheApp(
  integration: IntegrationSettings,
  target: EntraTarget,
  clientSecret: string,
  users: UserTokenStore,
  userId: string | undefined,
): ConfidentialClientApplication {
  const empty = "-";
  const client: ICacheClient = {
    get: async (key) => (key === empty ? "" : ((await users.read(key))?.cache ?? "")),
    set: async (key, value) => {
      if (key === empty) return value;
      const homeAccountId = homeAccountOf(value, key) ?? `${key}.${integration.tenantId}`;
      await users.write(key, homeAccountId, value);
      return value;
    },
  };
  const partitions: IPartitionManager = {
    getKey: () => Promise.resolve(userId ?? empty),
    // The account's local id is the user's Entra object id: the ONES user id.
    extractKey: (account) => Promise.resolve(account.localAccountId || userId || empty),
  };
  return new ConfidentialClientApplication(
    configuration(integration, target, clientSecret, new DistributedCachePlugin(client, partitions)),
  );
}

function homeAccountOf(serialized: string, userId: string): string | undefined {
  try {
    const cache = JSON.parse(serialized) as {
      Account?: Record<string, { home_account_id?: string; local_account_id?: string }>;
    };
    const account = Object.values(cache.Account ?? {}).find((a) => a.local_account_id === userId);
    return account?.home_account_id;
  } catch {
    return undefined;
  }
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

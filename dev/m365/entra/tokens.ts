import { randomBytes, createHash } from "node:crypto";
import { SignJWT } from "jose";
import type { SimulatorServices } from "../services";
import type { AppRegistration, CloudName, UserRecord } from "../store/types";
import { CLOUDS } from "./clouds";
import { groupsClaim } from "./app-manifest";

/** Mints Entra tokens: v1.0-format access tokens for Graph and v2.0 id tokens. */

function b64url(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function opaqueToken(prefix: string): string {
  // Entra refresh tokens and codes are long opaque strings; the prefix only helps reading logs.
  return `${prefix}.${b64url(48)}`;
}

export async function sign(sim: SimulatorServices, claims: Record<string, unknown>): Promise<string> {
  if (typeof claims.uti === "string" && claims.ver === "1.0") sim.store.recordToken(claims.uti);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: sim.keys.kid, x5t: sim.keys.kid })
    .sign(sim.keys.privateKey);
}

function times(sim: SimulatorServices, lifetime: number): { iat: number; nbf: number; exp: number } {
  const now = Math.floor(sim.clock.now() / 1000);
  return { iat: now, nbf: now, exp: now + lifetime };
}

/** Pairwise subject: stable per user and app, different across apps (as Entra does). */
function pairwiseSub(oid: string, clientId: string): string {
  return createHash("sha256").update(`${oid}|${clientId}`).digest("base64url").slice(0, 43);
}

export async function mintAppAccessToken(
  sim: SimulatorServices,
  app: AppRegistration,
  cloud: CloudName,
): Promise<string> {
  const profile = CLOUDS[cloud];
  const tid = sim.store.tenantId;
  const claims: Record<string, unknown> = {
    aud: profile.graphAudience,
    iss: `${profile.stsIssuerBase}/${tid}/`,
    ...times(sim, sim.entra.accessTokenLifetimeSeconds),
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: "1",
    idp: `${profile.stsIssuerBase}/${tid}/`,
    idtyp: "app",
    oid: app.servicePrincipalId,
    sub: app.servicePrincipalId,
    tid,
    uti: b64url(16),
    ver: "1.0",
  };
  // Entra omits `roles` entirely when the app has no application permissions.
  if (app.applicationPermissions.length > 0) claims.roles = [...app.applicationPermissions];
  return sign(sim, claims);
}

export async function mintUserAccessToken(
  sim: SimulatorServices,
  app: AppRegistration,
  user: UserRecord,
  scopes: string[],
  cloud: CloudName,
): Promise<string> {
  const profile = CLOUDS[cloud];
  const tid = sim.store.tenantId;
  const claims: Record<string, unknown> = {
    aud: profile.graphAudience,
    iss: `${profile.stsIssuerBase}/${tid}/`,
    ...times(sim, sim.entra.accessTokenLifetimeSeconds),
    acr: "1",
    amr: ["pwd"],
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: app.publicClient ? "0" : "1",
    family_name: user.data.surname ?? undefined,
    given_name: user.data.givenName ?? undefined,
    idtyp: "user",
    name: user.data.displayName,
    oid: user.id,
    scp: scopes.join(" "),
    sub: pairwiseSub(user.id, app.clientId),
    tid,
    unique_name: user.data.userPrincipalName,
    upn: user.data.userPrincipalName,
    uti: b64url(16),
    ver: "1.0",
  };
  const groups = groupsClaim(sim.store, app, user);
  if (groups) claims.groups = groups;
  return sign(sim, claims);
}

export async function mintIdToken(
  sim: SimulatorServices,
  app: AppRegistration,
  user: UserRecord,
  issuer: string,
  nonce: string | undefined,
  oidcScopes: readonly string[] = ["openid", "profile"],
): Promise<string> {
  const profile = oidcScopes.includes("profile");
  const claims: Record<string, unknown> = {
    aud: app.clientId,
    iss: issuer,
    ...times(sim, 3600),
    // `name` and `preferred_username` come with the profile scope, `email` only with the email scope.
    name: profile ? user.data.displayName : undefined,
    oid: user.id,
    preferred_username: profile ? user.data.userPrincipalName : undefined,
    email: oidcScopes.includes("email") ? (user.data.mail ?? undefined) : undefined,
    rh: b64url(16),
    sub: pairwiseSub(user.id, app.clientId),
    tid: sim.store.tenantId,
    uti: b64url(16),
    ver: "2.0",
  };
  if (nonce) claims.nonce = nonce;
  // Entra adds `groups` only when the registration's manifest asks for group claims.
  const groups = groupsClaim(sim.store, app, user);
  if (groups) claims.groups = groups;
  return sign(sim, claims);
}

/**
 * An access token for an app's own API (`api://{clientId}/access_as_user`), issued to `client` on behalf
 * of `user`. Format follows the API's `accessTokenAcceptedVersion`: v1.0 (Entra's default; `aud` as
 * requested, the sts issuer) or v2.0 (`aud` = the API's client id, the login issuer).
 */
export async function mintApiAccessToken(
  sim: SimulatorServices,
  input: {
    api: AppRegistration;
    /** The resource as the client named it (`api://{id}` or the bare client id). */
    resource: string;
    client: AppRegistration;
    user: UserRecord;
    scopes: string[];
    cloud: CloudName;
    /** `{login origin}/{tenant}/v2.0`, the v2.0 issuer. */
    v2Issuer: string;
  },
): Promise<string> {
  const { api, client, user, cloud } = input;
  const tid = sim.store.tenantId;
  const v2 = api.accessTokenAcceptedVersion === 2;
  const claims: Record<string, unknown> = {
    aud: v2 ? api.clientId : input.resource,
    iss: v2 ? input.v2Issuer : `${CLOUDS[cloud].stsIssuerBase}/${tid}/`,
    ...times(sim, sim.entra.accessTokenLifetimeSeconds),
    ...(v2
      ? {
          azp: client.clientId,
          azpacr: client.publicClient ? "0" : "1",
          preferred_username: user.data.userPrincipalName,
        }
      : {
          appid: client.clientId,
          appidacr: client.publicClient ? "0" : "1",
          upn: user.data.userPrincipalName,
          unique_name: user.data.userPrincipalName,
        }),
    name: user.data.displayName,
    oid: user.id,
    scp: input.scopes.join(" "),
    sub: pairwiseSub(user.id, api.clientId),
    tid,
    uti: b64url(16),
    ver: v2 ? "2.0" : "1.0",
  };
  const groups = groupsClaim(sim.store, api, user);
  if (groups) claims.groups = groups;
  return sign(sim, claims);
}

/**
 * A token with exactly the given claims, signed with the tenant's key (control API, for tests of
 * token validation): `iat`/`nbf`/`exp` default to the simulator clock and an hour's lifetime.
 */
export async function mintCustomToken(
  sim: SimulatorServices,
  claims: Record<string, unknown>,
  header: { kid?: string } = {},
): Promise<string> {
  const body = { ...times(sim, 3600), ...claims };
  return new SignJWT(body)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: header.kid ?? sim.keys.kid, x5t: sim.keys.kid })
    .sign(sim.keys.privateKey);
}

/** MSAL's `client_info`: base64url JSON with the home account's uid (oid) and utid (tenant id). */
export function clientInfo(sim: SimulatorServices, user: UserRecord): string {
  return Buffer.from(JSON.stringify({ uid: user.id, utid: sim.store.tenantId })).toString("base64url");
}

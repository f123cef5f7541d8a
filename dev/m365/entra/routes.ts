import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestContext, SimResponse } from "../http/context";
import { OAuthError } from "../http/errors";
import type { Router, RouteModule } from "../http/router";
import type { AppRegistration, CloudName, UserRecord } from "../store/types";
import { CLOUDS } from "./clouds";
import { apiResolver, parseScopes, type ParsedScopes } from "./scopes";
import { publishedKey } from "./keys";
import { renderErrorPage, renderFormPost, renderSignInPage } from "./sign-in-page";
import { resolveTenant } from "./tenant-resolution";
import {
  clientInfo,
  mintApiAccessToken,
  mintAppAccessToken,
  mintIdToken,
  mintUserAccessToken,
  opaqueToken,
} from "./tokens";
import { redeemAssertion } from "./on-behalf-of";

/**
 * Entra ID v2.0 endpoints: OpenID discovery, JWKS, instance discovery, authorize (sign-in page and a
 * non-interactive form) and token (authorization_code + PKCE, refresh_token, client_credentials).
 * Both global and 21Vianet host names land here; the login origin the client used is echoed back.
 */

function loginOrigin(ctx: RequestContext): string {
  return ctx.origin;
}

/**
 * Where browsers are sent to sign in and out: the plain-http loopback listener when it runs and the
 * client addressed the simulator by its loopback address (not through Microsoft host names).
 */
function browserOrigin(ctx: RequestContext): string {
  const http = ctx.sim.browserSignInOrigin;
  const loopback = new URL(ctx.origin).hostname === "127.0.0.1";
  return http !== undefined && loopback ? http : loginOrigin(ctx);
}

function issuer(ctx: RequestContext, tenantId: string): string {
  return `${loginOrigin(ctx)}/${tenantId}/v2.0`;
}

function openIdConfiguration(
  ctx: RequestContext,
  tenantSegment: string,
  multi: boolean,
): Record<string, unknown> {
  const base = `${loginOrigin(ctx)}/${tenantSegment}`;
  const browserBase = `${browserOrigin(ctx)}/${tenantSegment}`;
  const tid = multi ? "{tenantid}" : ctx.sim.store.tenantId;
  const graphHost = CLOUDS[ctx.cloud].graphHost;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${loginOrigin(ctx)}/${tid}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `https://${graphHost}/oidc/userinfo`,
    authorization_endpoint: `${browserBase}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${browserBase}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "EU",
    cloud_instance_name: cloudInstanceName(ctx),
    cloud_graph_host_name: ctx.cloud === "china" ? "graph.chinacloudapi.cn" : "graph.windows.net",
    msgraph_host: graphHost,
    rbac_url: "https://pas.windows.net",
  };
}

function cloudInstanceName(ctx: RequestContext): string {
  return ctx.cloud === "china" ? "partner.microsoftonline.cn" : "microsoftonline.com";
}

/**
 * The tenant of instance discovery's answer: the first path segment of the `authorization_endpoint`
 * the client asks about (MSAL sends its authority's), `common` when there is none.
 */
function discoveryTenant(ctx: RequestContext): string {
  const endpoint = ctx.query.get("authorization_endpoint");
  if (endpoint === null) return "common";
  try {
    const segment = new URL(endpoint).pathname.split("/").find((s) => s !== "");
    return segment === undefined ? "common" : encodeURIComponent(decodeURIComponent(segment));
  } catch {
    return "common";
  }
}

function findApp(ctx: RequestContext, clientId: string | undefined): AppRegistration {
  const app = clientId ? ctx.sim.store.apps.get(clientId) : undefined;
  if (!app) {
    throw new OAuthError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId ?? ""}' was not found in the directory '${ctx.sim.store.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  return app;
}

/** Parses a scope parameter; app APIs of this tenant (`api://{clientId}/…`) count as resources. */
function scopesOf(ctx: RequestContext, scope: string, cloud: CloudName): ParsedScopes {
  return parseScopes(scope, cloud, ctx.params.tenant ?? "", apiResolver(ctx.sim.store.apps));
}

/**
 * Delegated scopes a user token may carry: requested ∩ admin-consented, or all consented for /.default.
 * For an app's own API: the scopes it exposes (tenant-wide consent assumed, as for the demo apps).
 */
function grantDelegated(app: AppRegistration, scopes: ParsedScopes): string[] {
  if (scopes.api) {
    const exposed = scopes.api.app.apiScopes ?? [];
    if (scopes.api.isDefault) return [...exposed];
    const unknown = scopes.api.scopes.filter((s) => !exposed.includes(s));
    if (unknown.length > 0) {
      throw new OAuthError(
        400,
        "invalid_scope",
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.api.resource}/${unknown[0] ?? ""} does not exist.`,
      );
    }
    return [...scopes.api.scopes];
  }
  if (scopes.isDefault) return [...app.delegatedPermissions];
  const missing = scopes.graph.filter(
    (s) => !app.delegatedPermissions.some((p) => p.toLowerCase() === s.toLowerCase()),
  );
  if (missing.length > 0) {
    throw new OAuthError(
      400,
      "invalid_grant",
      65001,
      `The user or administrator has not consented to use the application with ID '${app.clientId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`,
    );
  }
  return scopes.graph.map(
    (s) => app.delegatedPermissions.find((p) => p.toLowerCase() === s.toLowerCase()) ?? s,
  );
}

function stringField(body: Record<string, string>, name: string): string | undefined {
  const v = body[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Client authentication: client_secret in the body or HTTP Basic; public clients may send none. */
function authenticateClient(ctx: RequestContext, body: Record<string, string>): AppRegistration {
  let clientId = stringField(body, "client_id");
  let secret = stringField(body, "client_secret");
  const basic = ctx.headers["authorization"];
  if (basic && /^basic\s+/i.test(basic)) {
    const decoded = Buffer.from(basic.replace(/^basic\s+/i, ""), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    clientId = decodeURIComponent(decoded.slice(0, i));
    secret = decodeURIComponent(decoded.slice(i + 1));
  }
  const app = findApp(ctx, clientId);
  if (secret === undefined) {
    if (app.publicClient) return app;
    throw new OAuthError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const now = ctx.sim.clock.now();
  const match = app.secrets.find((s) => {
    const a = Buffer.from(s.value);
    const b = Buffer.from(secret);
    return a.length === b.length && timingSafeEqual(a, b);
  });
  if (!match) {
    throw new OAuthError(
      401,
      "invalid_client",
      7000215,
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" +
        app.clientId +
        "'.",
    );
  }
  if (match.expiresAt !== undefined && match.expiresAt <= now) {
    throw new OAuthError(
      401,
      "invalid_client",
      7000222,
      `The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    );
  }
  return app;
}

async function userTokenResponse(
  ctx: RequestContext,
  app: AppRegistration,
  user: UserRecord,
  scopes: ParsedScopes,
  granted: string[],
  nonce: string | undefined,
  cloud: CloudName,
): Promise<Record<string, unknown>> {
  const sim = ctx.sim;
  const oidc = scopes.oidc.filter((s) => s !== "offline_access");
  const api = scopes.api;
  const access = api
    ? await mintApiAccessToken(sim, {
        api: api.app,
        resource: api.resource,
        client: app,
        user,
        scopes: granted,
        cloud,
        v2Issuer: issuer(ctx, sim.store.tenantId),
      })
    : await mintUserAccessToken(sim, app, user, [...granted, ...oidc], cloud);
  // Entra echoes an app API's scopes with their resource; Graph's come bare.
  const echoed = api ? granted.map((s) => `${api.resource}/${s}`) : granted;
  const out: Record<string, unknown> = {
    token_type: "Bearer",
    scope: [...echoed, ...oidc].join(" "),
    expires_in: sim.entra.accessTokenLifetimeSeconds,
    ext_expires_in: sim.entra.accessTokenLifetimeSeconds,
    access_token: access,
  };
  if (scopes.oidc.includes("offline_access")) {
    const now = sim.clock.now();
    const token = opaqueToken("rt");
    sim.store.refreshTokens.set(token, {
      token,
      clientId: app.clientId,
      userId: user.id,
      scopes: [...scopes.raw],
      issuedAt: now,
      expiresAt: now + sim.entra.refreshTokenInactivitySeconds * 1000,
      revoked: false,
      cloud,
    });
    out.refresh_token = token;
  }
  if (scopes.oidc.includes("openid")) {
    out.id_token = await mintIdToken(sim, app, user, issuer(ctx, sim.store.tenantId), nonce, scopes.oidc);
    out.client_info = clientInfo(sim, user);
  }
  return out;
}

async function tokenEndpoint(ctx: RequestContext): Promise<SimResponse> {
  const tenant = resolveTenant(ctx.sim.store, ctx.params.tenant ?? "");
  const body = (ctx.body ?? {}) as Record<string, string>;
  if (typeof ctx.body !== "object")
    throw new OAuthError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  const grantType = stringField(body, "grant_type");
  const sim = ctx.sim;
  const now = sim.clock.now();
  switch (grantType) {
    case "client_credentials": {
      if (tenant.kind === "multi") {
        // Entra needs a tenant to know whose service principal and consent apply.
        throw new OAuthError(
          400,
          "invalid_request",
          50059,
          "No tenant-identifying information found in either the request or implied by any provided credentials.",
        );
      }
      const app = authenticateClient(ctx, body);
      const scope = stringField(body, "scope") ?? "";
      const parsed = parseScopes(scope, ctx.cloud, ctx.params.tenant ?? "");
      if (!parsed.isDefault || parsed.graph.length > 0) {
        throw new OAuthError(
          400,
          "invalid_scope",
          1002012,
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      const token = await mintAppAccessToken(sim, app, parsed.cloud);
      return {
        status: 200,
        body: {
          token_type: "Bearer",
          expires_in: sim.entra.accessTokenLifetimeSeconds,
          ext_expires_in: sim.entra.accessTokenLifetimeSeconds,
          access_token: token,
        },
      };
    }
    case "authorization_code": {
      const app = authenticateClient(ctx, body);
      const code = stringField(body, "code");
      const rec = code ? sim.store.authCodes.get(code) : undefined;
      if (!rec || rec.clientId !== app.clientId) {
        throw new OAuthError(
          400,
          "invalid_grant",
          9002313,
          "Invalid request. Request is malformed or invalid.",
        );
      }
      if (rec.redeemed)
        throw new OAuthError(
          400,
          "invalid_grant",
          54005,
          "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        );
      if (rec.expiresAt <= now)
        throw new OAuthError(
          400,
          "invalid_grant",
          70008,
          "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        );
      if (stringField(body, "redirect_uri") !== rec.redirectUri) {
        throw new OAuthError(
          400,
          "invalid_grant",
          500117,
          "The reply uri specified in the request isn't expected.",
        );
      }
      if (rec.codeChallenge !== undefined) {
        const verifier = stringField(body, "code_verifier");
        if (!verifier)
          throw new OAuthError(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'code_verifier'.",
          );
        const computed =
          rec.codeChallengeMethod === "S256"
            ? createHash("sha256").update(verifier).digest("base64url")
            : verifier;
        if (computed !== rec.codeChallenge) {
          throw new OAuthError(
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
          );
        }
      }
      rec.redeemed = true;
      const user = sim.store.findUser(rec.userId);
      if (!user)
        throw new OAuthError(
          400,
          "invalid_grant",
          50034,
          "The user account does not exist in this directory.",
        );
      const parsed = scopesOf(ctx, rec.scopes.join(" "), rec.cloud);
      const granted = grantDelegated(app, parsed);
      return {
        status: 200,
        body: await userTokenResponse(ctx, app, user, parsed, granted, rec.nonce, rec.cloud),
      };
    }
    case "refresh_token": {
      const app = authenticateClient(ctx, body);
      const token = stringField(body, "refresh_token");
      const rec = token ? sim.store.refreshTokens.get(token) : undefined;
      if (!rec || rec.clientId !== app.clientId)
        throw new OAuthError(
          400,
          "invalid_grant",
          9002313,
          "Invalid request. Request is malformed or invalid.",
        );
      if (rec.revoked) {
        throw new OAuthError(
          400,
          "invalid_grant",
          50173,
          "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
          "bad_token",
        );
      }
      if (rec.expiresAt <= now) {
        const days = ((now - rec.issuedAt) / 86_400_000).toFixed(2);
        throw new OAuthError(
          400,
          "invalid_grant",
          700082,
          `The refresh token has expired due to inactivity. The token was issued on ${new Date(rec.issuedAt).toISOString()} and was inactive for ${days} days.`,
          "bad_token",
        );
      }
      const user = sim.store.findUser(rec.userId);
      if (!user || user.data.accountEnabled === false)
        throw new OAuthError(400, "invalid_grant", 50057, "The user account is disabled.");
      const requested = stringField(body, "scope") ?? rec.scopes.join(" ");
      const parsed = scopesOf(ctx, requested, rec.cloud);
      const granted = grantDelegated(app, parsed);
      if (sim.entra.revokeRotatedRefreshTokens) rec.revoked = true;
      // Keep offline_access so a new refresh token is issued: Entra rotates on every redemption.
      if (!parsed.oidc.includes("offline_access")) parsed.oidc.push("offline_access");
      return {
        status: 200,
        body: await userTokenResponse(ctx, app, user, parsed, granted, undefined, rec.cloud),
      };
    }
    case "urn:ietf:params:oauth:grant-type:jwt-bearer": {
      // On-behalf-of: a middle tier trades the access token it received for one to another resource.
      const app = authenticateClient(ctx, body);
      if (stringField(body, "requested_token_use") !== "on_behalf_of")
        throw new OAuthError(
          400,
          "invalid_request",
          900144,
          "The request body must contain the following parameter: 'requested_token_use'.",
        );
      const user = await redeemAssertion(sim, app, stringField(body, "assertion"));
      const parsed = scopesOf(ctx, stringField(body, "scope") ?? "", ctx.cloud);
      const granted = grantDelegated(app, parsed);
      return {
        status: 200,
        body: await userTokenResponse(ctx, app, user, parsed, granted, undefined, parsed.cloud),
      };
    }
    default:
      throw new OAuthError(
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grantType ?? ""}'.`,
      );
  }
}

/** Builds the redirect back to the app (query, fragment or form_post). */
function redirectBack(redirectUri: string, mode: string, fields: Record<string, string>): SimResponse {
  if (mode === "form_post")
    return {
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: renderFormPost(redirectUri, fields),
    };
  const qs = new URLSearchParams(fields).toString();
  const location =
    mode === "fragment"
      ? `${redirectUri}#${qs}`
      : `${redirectUri}${redirectUri.includes("?") ? "&" : "?"}${qs}`;
  return { status: 302, headers: { Location: location } };
}

function authorizeParams(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of ctx.query) out[k] = v;
  if (ctx.method === "POST" && ctx.body && typeof ctx.body === "object") {
    for (const [k, v] of Object.entries(ctx.body as Record<string, unknown>))
      if (typeof v === "string") out[k] = v;
  }
  return out;
}

/**
 * GET shows the sign-in page; POST (from the page, or from a test) with `sim_user` (object id or UPN)
 * or `login_hint` signs that user in. With `autoSignIn` on, a GET with `login_hint` signs in directly.
 */
function authorizeEndpoint(ctx: RequestContext): SimResponse {
  const sim = ctx.sim;
  try {
    resolveTenant(sim.store, ctx.params.tenant ?? "");
  } catch (e) {
    if (e instanceof OAuthError)
      return {
        status: 400,
        contentType: "text/html; charset=utf-8",
        body: renderErrorPage(e.aadsts, e.description),
      };
    throw e;
  }
  const p = authorizeParams(ctx);
  const app = sim.store.apps.get(p.client_id ?? "");
  if (!app) {
    return {
      status: 400,
      contentType: "text/html; charset=utf-8",
      body: renderErrorPage(
        700016,
        `Application with identifier '${p.client_id ?? ""}' was not found in the directory '${sim.store.displayName}'.`,
      ),
    };
  }
  const redirectUri = p.redirect_uri ?? "";
  if (!app.redirectUris.includes(redirectUri)) {
    return {
      status: 400,
      contentType: "text/html; charset=utf-8",
      body: renderErrorPage(
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
      ),
    };
  }
  const mode = p.response_mode ?? "query";
  const fail = (error: string, code: number, description: string) =>
    redirectBack(redirectUri, mode, {
      error,
      error_description: `AADSTS${code}: ${description}`,
      ...(p.state !== undefined ? { state: p.state } : {}),
    });
  if (p.response_type !== "code")
    return fail(
      "unsupported_response_type",
      700054,
      "response_type 'id_token' is not enabled for the application.",
    );
  if (
    p.code_challenge !== undefined &&
    p.code_challenge_method !== undefined &&
    !["S256", "plain"].includes(p.code_challenge_method)
  ) {
    return fail("invalid_request", 5000, "The code_challenge_method is not supported.");
  }
  let parsed: ParsedScopes;
  try {
    parsed = scopesOf(ctx, p.scope ?? "", ctx.cloud);
    grantDelegated(app, parsed);
  } catch (e) {
    if (e instanceof OAuthError)
      return fail(e.aadsts === 65001 ? "consent_required" : e.error, e.aadsts, e.description);
    throw e;
  }
  const chosen =
    p.sim_user ??
    (ctx.method === "POST"
      ? p.login_hint_input || p.login_hint
      : sim.entra.autoSignIn
        ? p.login_hint
        : undefined);
  if (chosen === undefined || chosen === "") {
    if (p.prompt === "none")
      return fail("login_required", 50058, "A silent sign-in request was sent but no user is signed in.");
    const people = [...sim.store.users.values()].filter(
      (u) => !u.isRoomMailbox && u.deletedAt === undefined && u.data.accountEnabled !== false,
    );
    const action = `${ctx.origin}/${ctx.params.tenant ?? ""}/oauth2/v2.0/authorize`;
    const params = { ...p };
    delete params.sim_user;
    return {
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: renderSignInPage({
        action,
        params,
        users: people.slice(0, 300),
        total: people.length,
        tenantName: sim.store.displayName,
        appName: app.displayName,
      }),
    };
  }
  const user = sim.store.findUser(chosen);
  if (!user || user.isRoomMailbox) {
    return fail(
      "invalid_request",
      50034,
      `The user account ${chosen} does not exist in the ${sim.store.domains[0] ?? sim.store.tenantId} directory. To sign into this application, the account must be added to the directory.`,
    );
  }
  if (user.data.accountEnabled === false)
    return fail("access_denied", 50057, "The user account is disabled.");
  const code = opaqueToken("code");
  sim.store.authCodes.set(code, {
    code,
    clientId: app.clientId,
    userId: user.id,
    redirectUri,
    scopes: parsed.raw,
    nonce: p.nonce,
    codeChallenge: p.code_challenge,
    codeChallengeMethod: p.code_challenge ? (p.code_challenge_method ?? "plain") : undefined,
    cloud: parsed.cloud,
    expiresAt: sim.clock.now() + sim.entra.authCodeLifetimeSeconds * 1000,
    redeemed: false,
  });
  const fields: Record<string, string> = { code, client_info: clientInfo(sim, user) };
  if (p.state !== undefined) fields.state = p.state;
  fields.session_state = user.id;
  return redirectBack(redirectUri, mode, fields);
}

export const entraRoutes: RouteModule = {
  name: "entra",
  register(router: Router) {
    router.entra("GET", "/{tenant}/v2.0/.well-known/openid-configuration", (ctx) => {
      const t = resolveTenant(ctx.sim.store, ctx.params.tenant ?? "");
      return { status: 200, body: openIdConfiguration(ctx, ctx.params.tenant ?? "", t.kind === "multi") };
    });
    router.entra("GET", "/{tenant}/discovery/v2.0/keys", (ctx) => {
      const t = resolveTenant(ctx.sim.store, ctx.params.tenant ?? "");
      // Entra lists each key with the v2.0 issuer it signs for: the tenant's, or `{tenantid}` on the
      // multi-tenant endpoints.
      const tid = t.kind === "multi" ? "{tenantid}" : ctx.sim.store.tenantId;
      const key = publishedKey(ctx.sim.keys, issuer(ctx, tid), cloudInstanceName(ctx));
      return { status: 200, body: { keys: [key] } };
    });
    router.entra("GET", "/{tenant}/discovery/keys", (ctx) => ({
      status: 200,
      body: { keys: [ctx.sim.keys.jwk] },
    }));
    // Instance discovery, as MSAL calls it when the authority host is not in knownAuthorities.
    router.entra("GET", "/common/discovery/instance", (ctx) => {
      const host = ctx.origin.replace(/^https:\/\//, "");
      return {
        status: 200,
        body: {
          tenant_discovery_endpoint: `${ctx.origin}/${discoveryTenant(ctx)}/v2.0/.well-known/openid-configuration`,
          "api-version": "1.1",
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        },
      };
    });
    router.entra("GET", "/{tenant}/oauth2/v2.0/authorize", authorizeEndpoint);
    router.entra("POST", "/{tenant}/oauth2/v2.0/authorize", authorizeEndpoint);
    router.entra("POST", "/{tenant}/oauth2/v2.0/token", tokenEndpoint);
    router.entra("GET", "/{tenant}/oauth2/v2.0/logout", (ctx) => {
      const uri = ctx.query.get("post_logout_redirect_uri");
      return uri
        ? { status: 302, headers: { Location: uri } }
        : { status: 200, contentType: "text/html", body: "<p>You signed out of your account.</p>" };
    });
  },
};

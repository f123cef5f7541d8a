import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CryptoProvider,
  InteractionRequiredAuthError,
  ServerError,
  type AuthorizationCodeRequest,
} from "@azure/msal-node";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { DEMO_APPS, DEMO_REDIRECT_URIS, type RunningM365Simulator } from "../../../dev/m365";
import { msalFor, startSim } from "./helpers";

const REDIRECT = DEMO_REDIRECT_URIS[0] as string;
const MODE1 = DEMO_APPS.applicationPermission;
const MODE2 = DEMO_APPS.delegatedPermission;

describe("Entra ID simulator with the real @azure/msal-node", () => {
  let sim: RunningM365Simulator;
  const upn = () =>
    [...sim.control.store.users.values()].find((u) => !u.isRoomMailbox)?.data.userPrincipalName as string;

  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("serves OpenID discovery and a JWKS that verifies issued tokens", async () => {
    const res = await fetch(`${sim.loginBaseUrl}/${sim.tenantId}/v2.0/.well-known/openid-configuration`);
    const config = (await res.json()) as Record<string, string>;
    expect(config.issuer).toBe(`${sim.loginBaseUrl}/${sim.tenantId}/v2.0`);
    expect(config.token_endpoint).toBe(`${sim.loginBaseUrl}/${sim.tenantId}/oauth2/v2.0/token`);
    const cca = msalFor(sim, MODE1.clientId, MODE1.secret);
    const token = await cca.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    const jwks = createRemoteJWKSet(new URL(config.jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(token?.accessToken as string, jwks);
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload.aud).toBe("https://graph.microsoft.com");
    expect(payload.tid).toBe(sim.tenantId);
    expect(payload.roles).toEqual(
      expect.arrayContaining(["Calendars.ReadWrite", "User.Read.All", "Group.Read.All", "Place.Read.All"]),
    );
    expect(payload.idtyp).toBe("app");
  });

  it("client credentials: tokens carry the admin-consented roles and are cached by MSAL", async () => {
    const cca = msalFor(
      sim,
      DEMO_APPS.applicationResourceOnly.clientId,
      DEMO_APPS.applicationResourceOnly.secret,
    );
    const first = await cca.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    const second = await cca.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(first?.fromCache).toBe(false);
    expect(second?.fromCache).toBe(true);
    expect(decodeJwt(first?.accessToken as string).roles).toEqual(["Place.Read.All"]);
  });

  /** A raw form POST to a tenant's token endpoint (the simulated tenant unless `tenant`). */
  const tokenRequest = (form: Record<string, string>, tenant = sim.tenantId) =>
    fetch(`${sim.loginBaseUrl}/${tenant}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });

  it("client credentials: wrong secret and a /common authority are refused as Entra does", async () => {
    const bad = msalFor(sim, MODE1.clientId, "not-the-secret");
    const err = await bad
      .acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).errorCode).toBe("invalid_client");
    expect((err as ServerError).errorMessage).toContain("AADSTS7000215");

    const res = await tokenRequest(
      {
        grant_type: "client_credentials",
        client_id: MODE1.clientId,
        client_secret: MODE1.secret,
        scope: "https://graph.microsoft.com/.default",
      },
      "common",
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_codes: number[] };
    expect(body.error).toBe("invalid_request");
    expect(body.error_codes).toEqual([50059]);

    const noDefault = await tokenRequest({
      grant_type: "client_credentials",
      client_id: MODE1.clientId,
      client_secret: MODE1.secret,
      scope: "User.Read.All",
    });
    expect(((await noDefault.json()) as { error_codes: number[] }).error_codes).toEqual([1002012]);
  });

  /** The code redemption ONES' callback makes after `signInWithPkce` (its scope, redirect and nonce). */
  const byCode = (code: string, codeVerifier: string): AuthorizationCodeRequest => ({
    code,
    scopes: ["Calendars.ReadWrite.Shared"],
    redirectUri: REDIRECT,
    codeVerifier,
    nonce: "n-123",
  });

  async function signInWithPkce(nonce = "n-123") {
    const cca = msalFor(sim, MODE2.clientId, MODE2.secret);
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const url = await cca.getAuthCodeUrl({
      scopes: ["Calendars.ReadWrite.Shared"],
      redirectUri: REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state: "st-1",
      nonce,
      loginHint: upn(),
    });
    const location = new URL(await sim.control.signIn(url, upn()));
    return { cca, verifier, location };
  }

  it("authorization code + PKCE: id token, client_info, scp and groups", async () => {
    const { cca, verifier, location } = await signInWithPkce();
    expect(location.searchParams.get("state")).toBe("st-1");
    const code = location.searchParams.get("code") as string;
    const result = await cca.acquireTokenByCode(
      {
        code,
        scopes: ["Calendars.ReadWrite.Shared"],
        redirectUri: REDIRECT,
        codeVerifier: verifier,
        state: "st-1",
        nonce: "n-123",
      },
      {
        code,
        state: "st-1",
        nonce: "n-123",
        client_info: location.searchParams.get("client_info") ?? undefined,
      },
    );
    const user = sim.control.store.findUser(upn());
    expect(result.account?.homeAccountId).toBe(`${user?.id}.${sim.tenantId}`);
    expect(result.idTokenClaims).toMatchObject({
      nonce: "n-123",
      tid: sim.tenantId,
      oid: user?.id,
      preferred_username: upn(),
      aud: MODE2.clientId,
    });
    const access = decodeJwt(result.accessToken);
    expect(String(access.scp).split(" ")).toContain("Calendars.ReadWrite.Shared");
    expect(access.roles).toBeUndefined();
    expect(access.idtyp).toBe("user");
    expect(Array.isArray(access.groups)).toBe(true);
  });

  it("authorization code: a wrong PKCE verifier and a reused code are refused", async () => {
    const { cca, location } = await signInWithPkce();
    const code = location.searchParams.get("code") as string;
    const wrong = await cca.acquireTokenByCode(byCode(code, "x".repeat(43))).catch((e: unknown) => e);
    expect((wrong as ServerError).errorCode).toBe("invalid_grant");
    expect((wrong as ServerError).errorMessage).toContain("AADSTS501481");

    const again = await signInWithPkce();
    const code2 = again.location.searchParams.get("code") as string;
    await again.cca.acquireTokenByCode(byCode(code2, again.verifier));
    const reused = await again.cca.acquireTokenByCode(byCode(code2, again.verifier)).catch((e: unknown) => e);
    expect((reused as ServerError).errorMessage).toContain("AADSTS54005");
  });

  it("asking for a permission without admin consent redirects with consent_required", async () => {
    const cca = msalFor(sim, MODE2.clientId, MODE2.secret);
    const url = await cca.getAuthCodeUrl({ scopes: ["User.Read.All"], redirectUri: REDIRECT, state: "s" });
    const res = await fetch(url, { redirect: "manual" });
    const location = new URL(res.headers.get("location") as string);
    expect(location.searchParams.get("error")).toBe("consent_required");
    expect(location.searchParams.get("error_description")).toContain("AADSTS65001");
  });

  it("silent: served from cache, refreshed (rotated), then refused after revocation", async () => {
    const { cca, verifier, location } = await signInWithPkce();
    const code = location.searchParams.get("code") as string;
    const first = await cca.acquireTokenByCode(byCode(code, verifier));
    const account = first.account;
    if (!account) throw new Error("no account");
    const cached = await cca.acquireTokenSilent({ account, scopes: ["Calendars.ReadWrite.Shared"] });
    expect(cached.fromCache).toBe(true);

    const rtBefore = new Set(sim.control.store.refreshTokens.keys());
    const refreshed = await cca.acquireTokenSilent({
      account,
      scopes: ["Calendars.ReadWrite.Shared"],
      forceRefresh: true,
    });
    expect(refreshed.fromCache).toBe(false);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    const rotated = [...sim.control.store.refreshTokens.keys()].filter((k) => !rtBefore.has(k));
    expect(rotated).toHaveLength(1);

    expect(sim.control.revokeRefreshTokens({ userId: account.localAccountId })).toBeGreaterThan(0);
    const err = await cca
      .acquireTokenSilent({ account, scopes: ["Calendars.ReadWrite.Shared"], forceRefresh: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InteractionRequiredAuthError);
    expect((err as InteractionRequiredAuthError).errorMessage).toContain("AADSTS50173");
  });

  it("refresh tokens expire after 90 days of inactivity", async () => {
    const { cca, verifier, location } = await signInWithPkce();
    const code = location.searchParams.get("code") as string;
    const first = await cca.acquireTokenByCode(byCode(code, verifier));
    const rt = [...sim.control.store.refreshTokens.values()].at(-1);
    if (!rt) throw new Error("no refresh token");
    const res = await tokenRequest({
      grant_type: "refresh_token",
      client_id: MODE2.clientId,
      client_secret: MODE2.secret,
      refresh_token: rt.token,
      scope: "Calendars.ReadWrite.Shared offline_access",
    });
    expect(res.status).toBe(200);
    rt.expiresAt = sim.control.clock.now() - 1;
    const expired = await tokenRequest({
      grant_type: "refresh_token",
      client_id: MODE2.clientId,
      client_secret: MODE2.secret,
      refresh_token: rt.token,
    });
    expect(expired.status).toBe(400);
    expect(((await expired.json()) as { error_codes: number[] }).error_codes).toEqual([700082]);
    expect(first.account).toBeTruthy();
  });

  it("renders a sign-in page listing people, and the authorize form signs one in", async () => {
    const cca = msalFor(sim, MODE2.clientId, MODE2.secret);
    const url = await cca.getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: REDIRECT, state: "abc" });
    const page = await fetch(url);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain(upn());
    expect(html).not.toContain("room-hq-101@");
    const u = new URL(url);
    const form = new URLSearchParams([...u.searchParams, ["sim_user", upn()]]);
    const res = await fetch(`${u.origin}${u.pathname}`, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") as string).searchParams.get("state")).toBe("abc");

    sim.control.configureEntra({ autoSignIn: true });
    const auto = await fetch(`${url}&login_hint=${encodeURIComponent(upn())}`, { redirect: "manual" });
    expect(auto.status).toBe(302);
    sim.control.configureEntra({ autoSignIn: false });
  });

  it("21Vianet scope gives a China-cloud audience and issuer", async () => {
    const cca = msalFor(sim, MODE1.clientId, MODE1.secret);
    const r = await cca.acquireTokenByClientCredential({
      scopes: ["https://microsoftgraph.chinacloudapi.cn/.default"],
    });
    const claims = decodeJwt(r?.accessToken as string);
    expect(claims.aud).toBe("https://microsoftgraph.chinacloudapi.cn");
    expect(claims.iss).toBe(`https://sts.chinacloudapi.cn/${sim.tenantId}/`);
  });
});

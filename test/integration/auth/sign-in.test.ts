import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import {
  apiAccessToken,
  authorize,
  CookieJar,
  get,
  signIn,
  startAuthStack,
  startLogin,
  type AuthStack,
} from "./helpers";

/**
 * Sign-in end to end: the real MSAL Node against the M365 simulator's Entra ID, sessions in Azurite,
 * the functions on the local host. Every attack in the issue is refused.
 */
let stack: AuthStack;
let user: { id: string; upn: string };
let adminGroup: string;
const app = DEMO_APPS.applicationPermission;

beforeAll(async () => {
  stack = await startAuthStack();
  const rec = stack.sim.control.addUser({
    userPrincipalName: "mia.auth@contoso.example",
    displayName: "Mia Auth",
    mail: "mia.auth@contoso.example",
  });
  user = { id: rec.id, upn: rec.data.userPrincipalName };
  adminGroup = stack.sim.control.addGroup({
    displayName: "ONES admins test",
    securityEnabled: true,
    members: [user.upn],
  }).id;
  await stack.configure("application", app, { adminGroupId: adminGroup });
});
afterAll(async () => {
  await stack.stop();
});

const api = (path: string): string => `${stack.host.baseUrl}${path}`;

async function expectRefused(response: Response, status = 401): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(
    response.headers.getSetCookie().some((c) => c.startsWith("ones_session=") && !/Max-Age=0/.test(c)),
  ).toBe(false);
}

describe("sign-in", () => {
  it("signs in with PKCE, sets a hardened session cookie, and /api/me knows the person", async () => {
    const jar = new CookieJar();
    const authorizeUrl = await startLogin(stack, jar, "/app/rooms?floor=2");
    expect(authorizeUrl.pathname).toBe(`/${stack.sim.tenantId}/oauth2/v2.0/authorize`);
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeUrl.searchParams.get("state")).toBeTruthy();
    expect(authorizeUrl.searchParams.get("nonce")).toBeTruthy();
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`${stack.host.baseUrl}/api/auth/callback`);

    const callback = await get(await authorize(stack, authorizeUrl, user.upn), jar);
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe(`${stack.host.baseUrl}/app/rooms?floor=2`);
    const sessionCookie = callback.headers.getSetCookie().find((c) => c.startsWith("ones_session="));
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/Secure/);
    expect(sessionCookie).toMatch(/SameSite=Lax/);
    expect(sessionCookie).toMatch(/Path=\//);
    expect(jar.cookies.has("ones_signin")).toBe(false);

    const me = await get(api("/api/me"), jar);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      userId: user.id,
      objectId: user.id,
      tenantId: stack.sim.tenantId,
      email: user.upn,
      name: "Mia Auth",
      groups: expect.arrayContaining([adminGroup]) as unknown,
      isAdmin: true,
      mode: "application",
      needsSignIn: false,
    });
  });

  it("rotates the session at each sign-in and ends it at logout", async () => {
    const jar = new CookieJar();
    await signIn(stack, jar, user.upn);
    const first = jar.cookies.get("ones_session");
    await signIn(stack, jar, user.upn);
    const second = jar.cookies.get("ones_session");
    expect(first).toMatch(/^[^\s;]{16,}$/);
    expect(second).toMatch(/^[^\s;]{16,}$/);
    expect(second).not.toBe(first);
    // The earlier session is gone, even for someone who kept its cookie.
    expect((await get(api("/api/me"), undefined, { cookie: `ones_session=${first}` })).status).toBe(401);

    const out = await fetch(api("/api/auth/logout"), {
      method: "POST",
      headers: { cookie: jar.header(), origin: stack.host.baseUrl },
    });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((c) => /^ones_session=;.*Max-Age=0/.test(c))).toBe(true);
    expect(((await out.json()) as { entraLogoutUrl?: string }).entraLogoutUrl).toContain(
      "/oauth2/v2.0/logout",
    );
    expect((await get(api("/api/me"), undefined, { cookie: `ones_session=${second}` })).status).toBe(401);
  });

  it("refuses /api/me without a session", async () => {
    await expectRefused(await get(api("/api/me")));
  });
});

describe("attacks on the sign-in", () => {
  it("refuses an unknown state", async () => {
    const jar = new CookieJar();
    const url = new URL(await authorize(stack, await startLogin(stack, jar), user.upn));
    url.searchParams.set("state", "forged-state");
    await expectRefused(await get(url.toString(), jar));
  });

  it("refuses a replayed state (single use)", async () => {
    const jar = new CookieJar();
    const callback = await authorize(stack, await startLogin(stack, jar), user.upn);
    const binding = jar.header();
    expect((await get(callback, jar)).status).toBe(302);
    await expectRefused(await get(callback, undefined, { cookie: binding }));
  });

  it("refuses a callback in another browser (no binding cookie: login CSRF)", async () => {
    const victim = new CookieJar();
    const callback = await authorize(stack, await startLogin(stack, new CookieJar()), user.upn);
    await expectRefused(await get(callback, victim));
  });

  it("refuses a wrong nonce", async () => {
    const jar = new CookieJar();
    const url = await startLogin(stack, jar);
    url.searchParams.set("nonce", "attacker-nonce");
    await expectRefused(await get(await authorize(stack, url, user.upn), jar));
  });

  it("refuses a wrong PKCE verifier (challenge swapped at the authorize step)", async () => {
    const jar = new CookieJar();
    const url = await startLogin(stack, jar);
    url.searchParams.set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    await expectRefused(await get(await authorize(stack, url, user.upn), jar));
  });

  it("refuses an Entra error response", async () => {
    await expectRefused(await get(api("/api/auth/callback?error=access_denied&state=x")));
  });

  it("refuses a tampered session cookie", async () => {
    const jar = new CookieJar();
    await signIn(stack, jar, user.upn);
    const value = jar.cookies.get("ones_session") ?? "";
    const [id, mac] = value.split(".") as [string, string];
    const flipped = `${id.slice(0, -1)}${id.endsWith("A") ? "B" : "A"}.${mac}`;
    await expectRefused(await get(api("/api/me"), undefined, { cookie: `ones_session=${flipped}` }));
    await expectRefused(await get(api("/api/me"), undefined, { cookie: `ones_session=${id}` }));
    expect((await get(api("/api/me"), jar)).status).toBe(200);
  });

  it("refuses open redirects", async () => {
    for (const returnTo of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "javascript:alert(1)",
      `${stack.host.baseUrl.replace("127.0.0.1", "localhost")}/app`,
    ]) {
      const response = await get(api(`/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`));
      expect(response.status, returnTo).toBe(400);
      expect(response.headers.get("location")).toBeNull();
    }
    const ok = await get(api(`/api/auth/login?returnTo=${encodeURIComponent(`${stack.host.baseUrl}/app`)}`));
    expect(ok.status).toBe(302);
  });
});

describe("Bearer access tokens", () => {
  const claims = () => ({
    aud: app.clientId,
    iss: `${stack.sim.loginBaseUrl}/${stack.sim.tenantId}/v2.0`,
    tid: stack.sim.tenantId,
    oid: user.id,
    sub: "pairwise-subject",
    name: "Mia Auth",
    preferred_username: user.upn,
    scp: "access_as_user",
    roles: ["ONES.Admin"],
  });
  const bearer = (token: string) => get(api("/api/me"), undefined, { authorization: `Bearer ${token}` });

  it("accepts a valid token for the ONES API, with admin from the app role", async () => {
    const response = await bearer(await apiAccessToken(stack, claims()));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ userId: user.id, isAdmin: true, roles: ["ONES.Admin"] });
  });

  it("accepts the api:// audience and the v1 issuer", async () => {
    const token = await apiAccessToken(stack, {
      ...claims(),
      aud: `api://${app.clientId}`,
      iss: `https://sts.windows.net/${stack.sim.tenantId}/`,
    });
    expect((await bearer(token)).status).toBe(200);
  });

  it("refuses a forged token (signed with another key)", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await expectRefused(await bearer(await apiAccessToken(stack, claims(), { key: privateKey })));
  });

  it("refuses an expired token", async () => {
    await expectRefused(await bearer(await apiAccessToken(stack, claims(), { lifetimeSeconds: -600 })));
  });

  it("refuses a token of another tenant", async () => {
    const other = "11111111-2222-3333-4444-555555555555";
    await expectRefused(
      await bearer(
        await apiAccessToken(stack, {
          ...claims(),
          tid: other,
          iss: `${stack.sim.loginBaseUrl}/${other}/v2.0`,
        }),
      ),
    );
    await expectRefused(await bearer(await apiAccessToken(stack, { ...claims(), tid: other })));
  });

  it("refuses a token for another audience (a Graph token)", async () => {
    await expectRefused(
      await bearer(await apiAccessToken(stack, { ...claims(), aud: "https://graph.microsoft.com" })),
    );
    const graphToken = await stack.sim.control
      .signIn((await startLogin(stack, new CookieJar())).toString(), user.upn)
      .then(() => apiAccessToken(stack, { ...claims(), aud: DEMO_APPS.delegatedPermission.clientId }));
    await expectRefused(await bearer(graphToken));
  });

  it("refuses an unsigned (alg none) token and a malformed header", async () => {
    const [h, p] = (await apiAccessToken(stack, claims())).split(".") as [string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${p}.`;
    await expectRefused(await bearer(none));
    await expectRefused(await get(api("/api/me"), undefined, { authorization: `Basic ${h}` }));
  });
});

describe("capabilities", () => {
  it("shows the configured mode's table to a signed-in person", async () => {
    const jar = new CookieJar();
    await signIn(stack, jar, user.upn);
    const response = await get(api("/api/integration/capabilities"), jar);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      mode: string;
      capabilities: { capability: string; available: boolean }[];
    };
    expect(body.mode).toBe("application");
    expect(body.capabilities.find((c) => c.capability === "create-booking")?.available).toBe(true);
    expect((await get(api("/api/integration/capabilities"))).status).toBe(401);
  });
});

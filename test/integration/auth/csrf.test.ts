import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { apiAccessToken, CookieJar, get, signIn, startAuthStack, type AuthStack } from "./helpers";

/**
 * CSRF defence in depth: with the session cookie, unsafe methods must come from the app's own origin
 * (`Origin`, or `Sec-Fetch-Site` where a browser sent no `Origin`); Bearer requests are not affected.
 */
let stack: AuthStack;
let admin: { id: string; upn: string };
let jar: CookieJar;
const app = DEMO_APPS.applicationPermission;

beforeAll(async () => {
  stack = await startAuthStack();
  const rec = stack.sim.control.addUser({
    userPrincipalName: "cora.csrf@contoso.example",
    displayName: "Cora Csrf",
  });
  admin = { id: rec.id, upn: rec.data.userPrincipalName };
  const group = stack.sim.control.addGroup({
    displayName: "ONES admins (CSRF test)",
    securityEnabled: true,
    members: [admin.upn],
  });
  await stack.configure("application", app, { adminGroupId: group.id });
  jar = new CookieJar();
  expect((await signIn(stack, jar, admin.upn)).status).toBe(302);
});
afterAll(async () => {
  await stack.stop();
});

const testCall = (headers: Record<string, string>): Promise<Response> =>
  fetch(`${stack.host.baseUrl}/api/admin/integration/test`, {
    method: "POST",
    headers: { cookie: jar.header(), ...headers },
  });

describe("cookie-authenticated unsafe requests", () => {
  it("refuses a cross-site POST with a valid session (403), and the session still works", async () => {
    const response = await testCall({ origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(((await response.json()) as { type: string }).type).toMatch(/forbidden/);
    expect((await get(`${stack.host.baseUrl}/api/me`, jar)).status).toBe(200);
  });

  it("refuses one with neither Origin nor a same-origin Sec-Fetch-Site", async () => {
    expect((await testCall({})).status).toBe(403);
    expect((await testCall({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await testCall({ "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await testCall({ origin: "null" })).status).toBe(403);
    // Another port of the same host is another origin.
    const other = new URL(stack.host.baseUrl);
    other.port = String(Number(other.port) + 1);
    expect((await testCall({ origin: other.origin })).status).toBe(403);
  });

  it("accepts the app's own origin, or Sec-Fetch-Site same-origin / none without Origin", async () => {
    expect((await testCall({ origin: stack.host.baseUrl })).status).toBe(200);
    expect((await testCall({ "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await testCall({ "sec-fetch-site": "none" })).status).toBe(200);
  });

  it("refuses a cross-site logout; the session stays", async () => {
    const response = await fetch(`${stack.host.baseUrl}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: jar.header(), origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
    expect((await get(`${stack.host.baseUrl}/api/me`, jar)).status).toBe(200);
  });

  it("does not apply to safe methods", async () => {
    expect((await get(`${stack.host.baseUrl}/api/me`, jar, { origin: "https://evil.example" })).status).toBe(
      200,
    );
  });
});

describe("Bearer-authenticated requests", () => {
  it("are exempt: no Origin needed", async () => {
    const token = await apiAccessToken(stack, {
      aud: app.clientId,
      iss: `${stack.sim.loginBaseUrl}/${stack.sim.tenantId}/v2.0`,
      tid: stack.sim.tenantId,
      oid: admin.id,
      preferred_username: admin.upn,
      scp: "access_as_user",
      roles: ["ONES.Admin"],
    });
    const response = await fetch(`${stack.host.baseUrl}/api/admin/integration/test`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin: "https://other.example" },
    });
    expect(response.status).toBe(200);
  });
});

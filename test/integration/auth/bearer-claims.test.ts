import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CryptoProvider, type ConfidentialClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { DEMO_APPS, DEMO_REDIRECT_URIS } from "../../../dev/m365";
import { JoseTokenVerifier } from "../../../shared/adapters/entra/jose-token-verifier";
import type { IntegrationSettings } from "../../../shared/app/ports/integration-store";
import { isAppError } from "../../../shared/domain/errors";
import { msalFor } from "../m365/helpers";
import { get, startAuthStack, type AuthStack } from "./helpers";

/**
 * Bearer tokens for the ONES API, issued and signed by the simulator's Entra ID: one from the real
 * authorization-code flow is accepted; tokens with a valid signature but a wrong issuer, tenant or
 * audience, or outside their lifetime, reach the claim checks and are refused there.
 */
let stack: AuthStack;
let person: { id: string; upn: string };
const app = DEMO_APPS.applicationPermission;
const REDIRECT = DEMO_REDIRECT_URIS[0] as string;
const OTHER_TENANT = "11111111-2222-4333-8444-555555555555";

beforeAll(async () => {
  stack = await startAuthStack();
  const rec = stack.sim.control.addUser({
    userPrincipalName: "bea.bearer@contoso.example",
    displayName: "Bea Bearer",
    mail: "bea.bearer@contoso.example",
  });
  person = { id: rec.id, upn: rec.data.userPrincipalName };
  await stack.configure("application", app);
});
afterAll(async () => {
  await stack.stop();
});

const me = (token: string) =>
  get(`${stack.host.baseUrl}/api/me`, undefined, { authorization: `Bearer ${token}` });

/** The sign-in a client of the ONES API makes: authorization code + PKCE for `api://{id}/access_as_user`. */
async function apiTokenByCode(cca: ConfidentialClientApplication): Promise<string> {
  const scopes = [`api://${app.clientId}/access_as_user`];
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const url = await cca.getAuthCodeUrl({
    scopes,
    redirectUri: REDIRECT,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
  });
  const code = new URL(await stack.sim.control.signIn(url, person.upn)).searchParams.get("code") as string;
  const result = await cca.acquireTokenByCode({
    code,
    scopes,
    redirectUri: REDIRECT,
    codeVerifier: verifier,
  });
  return result.accessToken;
}

/** Claims as Entra puts them in a v1.0 access token for the ONES API, on the simulator's clock. */
function goodClaims(): Record<string, unknown> {
  const now = Math.floor(stack.sim.control.clock.now() / 1000);
  return {
    aud: `api://${app.clientId}`,
    iss: `https://sts.windows.net/${stack.sim.tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    tid: stack.sim.tenantId,
    oid: person.id,
    upn: person.upn,
    name: "Bea Bearer",
    scp: "access_as_user",
    ver: "1.0",
  };
}

async function expectRefusedFor(token: string, detail: string): Promise<void> {
  const response = await me(token);
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(((await response.json()) as { detail: string }).detail).toBe(detail);
}

describe("bearer tokens issued by the simulator for the ONES API", () => {
  it("the authorization-code flow yields an access token for the ONES API that ONES accepts", async () => {
    const cca = msalFor(stack.sim, app.clientId, app.secret);
    const token = await apiTokenByCode(cca);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: `api://${app.clientId}`,
      iss: `https://sts.windows.net/${stack.sim.tenantId}/`,
      tid: stack.sim.tenantId,
      oid: person.id,
      scp: "access_as_user",
      appid: app.clientId,
      ver: "1.0",
    });
    const response = await me(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ userId: person.id, isAdmin: false });

    // On behalf of that person, ONES (the API's app) can trade the token for a Graph token.
    const obo = await cca.acquireTokenOnBehalfOf({
      oboAssertion: token,
      scopes: ["https://graph.microsoft.com/User.Read"],
    });
    const graph = decodeJwt(obo?.accessToken as string);
    expect(graph).toMatchObject({ aud: "https://graph.microsoft.com", oid: person.id, appid: app.clientId });
    expect(String(graph.scp).split(" ")).toContain("User.Read");
  });

  it("accepts a control-minted token with the claims Entra would give", async () => {
    const response = await me(await stack.sim.control.mintToken(goodClaims()));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ userId: person.id });
  });

  it("refuses a token from another issuer", async () => {
    await expectRefusedFor(
      await stack.sim.control.mintToken({ ...goodClaims(), iss: "https://issuer.example/" }),
      "The token's iss claim is not accepted.",
    );
  });

  it("refuses a token of another tenant (issuer and tid of that tenant, or tid alone)", async () => {
    await expectRefusedFor(
      await stack.sim.control.mintToken({
        ...goodClaims(),
        iss: `https://sts.windows.net/${OTHER_TENANT}/`,
        tid: OTHER_TENANT,
      }),
      "The token's iss claim is not accepted.",
    );
    await expectRefusedFor(
      await stack.sim.control.mintToken({ ...goodClaims(), tid: OTHER_TENANT }),
      "The token was issued for another tenant.",
    );
  });

  it("refuses a token for another audience", async () => {
    await expectRefusedFor(
      await stack.sim.control.mintToken({ ...goodClaims(), aud: "https://graph.microsoft.com" }),
      "The token's aud claim is not accepted.",
    );
  });

  it("refuses an expired token and one not yet valid (beyond the clock tolerance)", async () => {
    const now = Math.floor(stack.sim.control.clock.now() / 1000);
    await expectRefusedFor(
      await stack.sim.control.mintToken({
        ...goodClaims(),
        iat: now - 7200,
        nbf: now - 7200,
        exp: now - 600,
      }),
      "The token has expired.",
    );
    await expectRefusedFor(
      await stack.sim.control.mintToken({ ...goodClaims(), iat: now, nbf: now + 600, exp: now + 4200 }),
      "The token's nbf claim is not accepted.",
    );
  });

  it("remembers a verified token until its exp only, and only for the integration it was verified for", async () => {
    let clock = stack.sim.control.clock.now();
    const verifier = new JoseTokenVerifier({ loginBaseUrl: stack.sim.loginBaseUrl }, () => clock);
    const integration: IntegrationSettings = {
      name: "Contoso",
      cloud: "global",
      tenantId: stack.sim.tenantId,
      clientId: app.clientId,
      mode: "application",
      updatedAt: new Date(0),
    };
    const claims = goodClaims();
    const token = await stack.sim.control.mintToken(claims);
    const refusal = (error: unknown) =>
      isAppError(error) ? `${error.code}: ${error.message}` : "unexpected";

    expect((await verifier.verifyAccessToken(token, integration)).oid).toBe(person.id);
    expect((await verifier.verifyAccessToken(token, integration)).oid).toBe(person.id);
    // Another app registration: the token is checked again, and its audience does not fit.
    const other = { ...integration, clientId: "99999999-8888-4777-8666-555555555555" };
    expect(await verifier.verifyAccessToken(token, other).catch(refusal)).toBe(
      "unauthenticated: The token's aud claim is not accepted.",
    );
    // Past its exp (and the clock tolerance) the remembered verification no longer counts.
    clock = ((claims.exp as number) + 121) * 1000;
    expect(await verifier.verifyAccessToken(token, integration).catch(refusal)).toBe(
      "unauthenticated: The token has expired.",
    );
  });
});

import { createHash, X509Certificate } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BatchRequestContent, BatchResponseContent } from "@microsoft/microsoft-graph-client";
import { CryptoProvider } from "@azure/msal-node";
import { decodeJwt, importJWK, jwtVerify, type JWK } from "jose";
import { DEMO_APPS, DEMO_REDIRECT_URIS, type RunningM365Simulator } from "../../../dev/m365";
import { startM365Simulator } from "../../../dev/m365";
import { CA_DIR, demoAppToken, graphFetch, graphFor, msalFor, startSim } from "./helpers";

/**
 * Conformance of the simulator with behaviour Microsoft documents (each test quotes what it follows),
 * measured through the real Graph SDK and MSAL where a client would notice the difference.
 */

type BatchBody = ConstructorParameters<typeof BatchResponseContent>[0];
const REDIRECT = DEMO_REDIRECT_URIS[0] as string;

describe("simulator fidelity", () => {
  let sim: RunningM365Simulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSim();
    token = await demoAppToken(sim);
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.control.faults.reset();
  });

  const person = () => [...sim.control.store.users.values()].find((u) => !u.isRoomMailbox && u.data.mail);

  it("$batch: the SDK's BatchResponseContent reads inner bodies (Graph's header casing)", async () => {
    // json-batching.md: "The headers property in each individual response represents the headers
    // returned by the server, for example, Cache-Control and Content-Type headers." (its example:
    // "headers": {"OData-Version": "4.0"}). BatchResponseContent looks up headers["Content-Type"] as is.
    const user = person();
    const batch = new BatchRequestContent([
      {
        id: "1",
        request: new Request(`${sim.graphBaseUrl}/v1.0/users/${user?.id}?$select=displayName`, {
          method: "GET",
        }),
      },
      { id: "2", request: new Request(`${sim.graphBaseUrl}/v1.0/users/nobody`, { method: "GET" }) },
    ]);
    const client = graphFor(sim, () => Promise.resolve(token));
    const raw = (await client.api("/$batch").post(await batch.getContent())) as BatchBody;
    const content = new BatchResponseContent(raw);
    const first = content.getResponseById("1");
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Type")?.split(";")[0]).toBe("application/json");
    expect(((await first.json()) as { displayName: string }).displayName).toBe(user?.data.displayName);
    const missing = content.getResponseById("2");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      "Request_ResourceNotFound",
    );
    const item = (
      raw as unknown as { responses: Array<{ id: string; headers: Record<string, string> }> }
    ).responses.find((r) => r.id === "1");
    expect(Object.keys(item?.headers ?? {}).sort()).toEqual(["Content-Type", "OData-Version"]);
  });

  it("$batch: throttling applies to the inner requests one by one, inside a 200 envelope", async () => {
    // throttling.md, "Throttling and batching": "Requests in a batch are evaluated individually against
    // throttling limits and if any request exceeds the limits, it fails with a status code of 429 […]
    // The batch itself succeeds with a status code of 200 (OK)."
    sim.control.faults.throttleStorm(1, 7);
    const user = person();
    const res = await graphFetch(sim, token, "/$batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        requests: [
          { id: "1", method: "GET", url: `/users/${user?.id}?$select=id` },
          { id: "2", method: "GET", url: `/users/${user?.id}?$select=id`, dependsOn: ["1"] },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      responses: Array<{ id: string; status: number; headers: Record<string, string> }>;
    };
    const byId = new Map(body.responses.map((r) => [r.id, r]));
    expect(byId.get("1")?.status).toBe(429);
    expect(byId.get("1")?.headers["Retry-After"]).toBe("7");
    // The dependent request fails as any request whose dependency failed does.
    expect(byId.get("2")?.status).toBe(424);
    // The storm is spent; a retry of the throttled request succeeds.
    const retry = await graphFetch(sim, token, `/users/${user?.id}?$select=id`);
    expect(retry.status).toBe(200);
  });

  it("answers with OData-Version: 4.0", async () => {
    // Graph speaks OData v4 and says so in every answer (json-batching.md's example response shows
    // "OData-Version": "4.0" among an item's headers).
    const res = await graphFetch(sim, token, "/users?$top=1");
    expect(res.status).toBe(200);
    expect(res.headers.get("odata-version")).toBe("4.0");
  });

  it("@odata.context percent-encodes the @ of a user principal name", async () => {
    // Graph answers GET /users/AdeleV@…/calendar with "@odata.context":
    // "https://graph.microsoft.com/v1.0/$metadata#users('AdeleV%40….onmicrosoft.com')/calendar/$entity"
    // (observed responses): keys in context URLs are percent-encoded.
    const upn = person()?.data.userPrincipalName as string;
    const res = await graphFetch(sim, token, `/users/${upn}/events?$top=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { "@odata.context": string };
    expect(body["@odata.context"]).toBe(
      `https://graph.microsoft.com/v1.0/$metadata#users('${upn.replace("@", "%40")}')/events`,
    );
    // …and names the path asked for: /users/{upn}/calendar/events answers with …/calendar/events.
    const viaCalendar = await graphFetch(sim, token, `/users/${upn}/calendar/events?$top=1`);
    expect(((await viaCalendar.json()) as { "@odata.context": string })["@odata.context"]).toBe(
      `https://graph.microsoft.com/v1.0/$metadata#users('${upn.replace("@", "%40")}')/calendar/events`,
    );
  });

  it("groups/delta without $select reports members@delta, and a later membership change", async () => {
    // group-delta.md, Request 1: "There is no $select parameter, so a default set of properties is
    // tracked and returned." Response 1: "Note the presence of the members@delta property which includes
    // the ids of member objects in the group." Request 2 ($select without members) shows none.
    sim.control.seed("demo");
    const group = [...sim.control.store.groups.values()].find((g) => g.data.displayName === "Facilities");
    let url = "/groups/delta";
    let deltaLink = "";
    const seen = new Map<string, Array<{ id: string }>>();
    while (url !== "") {
      const page = (await (await graphFetch(sim, token, url)).json()) as {
        value: Array<{ id: string; "members@delta"?: Array<{ id: string }> }>;
        "@odata.nextLink"?: string;
        "@odata.deltaLink"?: string;
      };
      for (const g of page.value) seen.set(g.id, g["members@delta"] ?? []);
      const next = page["@odata.nextLink"] ?? "";
      deltaLink = page["@odata.deltaLink"] ?? deltaLink;
      url = next === "" ? "" : next.slice(next.indexOf("/v1.0") + 5);
    }
    expect(
      seen
        .get(group?.id ?? "")
        ?.map((m) => m.id)
        .sort(),
    ).toEqual([...(group?.members ?? [])].sort());

    const newcomer = [...sim.control.store.users.values()].find(
      (u) => !u.isRoomMailbox && !group?.members.has(u.id),
    );
    sim.control.addMember(group?.id as string, newcomer?.id as string);
    const changes = (await (
      await graphFetch(sim, token, deltaLink.slice(deltaLink.indexOf("/v1.0") + 5))
    ).json()) as { value: Array<{ id: string; "members@delta"?: Array<{ id: string }> }> };
    expect(changes.value.map((g) => [g.id, g["members@delta"]])).toEqual([
      [group?.id, [{ "@odata.type": "#microsoft.graph.user", id: newcomer?.id }]],
    ]);

    // A $select without `members` still leaves membership out.
    const selected = (await (await graphFetch(sim, token, "/groups/delta?$select=displayName")).json()) as {
      value: Array<Record<string, unknown>>;
    };
    expect(selected.value.some((g) => "members@delta" in g)).toBe(false);
  });

  it("JWKS keys carry x5c (a certificate over the key), x5t = its thumbprint, and the issuer", async () => {
    // signing-key-rollover / OpenID discovery: each key lists "x5c" (the X.509 certificate chain),
    // "x5t" and "kid" (its SHA-1 thumbprint) and the "issuer" whose tokens it signs.
    const res = await fetch(`${sim.loginBaseUrl}/${sim.tenantId}/discovery/v2.0/keys`);
    const { keys } = (await res.json()) as { keys: Array<JWK & { x5c: string[]; issuer: string }> };
    expect(keys).toHaveLength(1);
    const key = keys[0] as JWK & { x5c: string[]; issuer: string; kid: string; x5t: string };
    const cert = new X509Certificate(Buffer.from(key.x5c[0] as string, "base64"));
    expect(key.x5t).toBe(createHash("sha1").update(cert.raw).digest("base64url"));
    expect(key.kid).toBe(key.x5t);
    expect(key.issuer).toBe(`${sim.loginBaseUrl}/${sim.tenantId}/v2.0`);
    expect(cert.checkIssued(cert)).toBe(true);
    // A token the simulator issues verifies with the certificate's public key.
    const { payload } = await jwtVerify(token, cert.publicKey, { algorithms: ["RS256"] });
    expect(payload.tid).toBe(sim.tenantId);
    expect(await importJWK(key, "RS256")).toBeTruthy();

    const common = (await (await fetch(`${sim.loginBaseUrl}/common/discovery/v2.0/keys`)).json()) as {
      keys: Array<{ issuer: string }>;
    };
    expect(common.keys[0]?.issuer).toBe(`${sim.loginBaseUrl}/{tenantid}/v2.0`);
  });

  it("instance discovery names the tenant of the authorization endpoint asked about", async () => {
    // MSAL asks /common/discovery/instance?authorization_endpoint=…/{tenant}/oauth2/v2.0/authorize;
    // the answer's tenant_discovery_endpoint is that tenant's OpenID configuration.
    const endpoint = `${sim.loginBaseUrl}/${sim.tenantId}/oauth2/v2.0/authorize`;
    const res = await fetch(
      `${sim.loginBaseUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(endpoint)}`,
    );
    const body = (await res.json()) as { tenant_discovery_endpoint: string };
    expect(body.tenant_discovery_endpoint).toBe(
      `${sim.loginBaseUrl}/${sim.tenantId}/v2.0/.well-known/openid-configuration`,
    );
  });

  it("tokens carry groups only when the registration asks for group claims", async () => {
    // reference-app-manifest, groupMembershipClaims: "Configures the groups claim issued in a user or
    // OAuth 2.0 access token that the app expects" — unset, tokens carry no groups claim.
    sim.control.seed("demo");
    const upn = person()?.data.userPrincipalName as string;
    const signIn = async (clientId: string, secret: string) => {
      const cca = msalFor(sim, clientId, secret);
      const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
      const url = await cca.getAuthCodeUrl({
        scopes: ["User.Read"],
        redirectUri: REDIRECT,
        codeChallenge: challenge,
        codeChallengeMethod: "S256",
      });
      const code = new URL(await sim.control.signIn(url, upn)).searchParams.get("code") as string;
      const result = await cca.acquireTokenByCode({
        code,
        scopes: ["User.Read"],
        redirectUri: REDIRECT,
        codeVerifier: verifier,
      });
      return { id: result.idTokenClaims as Record<string, unknown>, access: decodeJwt(result.accessToken) };
    };
    const plain = sim.control.registerApp({
      displayName: "No group claims",
      secrets: ["s3cret"],
      redirectUris: [REDIRECT],
      delegatedPermissions: ["User.Read", "openid", "profile", "offline_access"],
    });
    const without = await signIn(plain.clientId, "s3cret");
    expect(without.id.groups).toBeUndefined();
    expect(without.access.groups).toBeUndefined();

    const mode1 = DEMO_APPS.applicationPermission;
    const withGroups = await signIn(mode1.clientId, mode1.secret);
    const user = sim.control.store.findUser(upn);
    const securityGroups = sim.control.store
      .groupsOfUser(user?.id as string)
      .filter((id) => sim.control.store.groups.get(id)?.data.securityEnabled === true)
      .sort();
    expect(securityGroups.length).toBeGreaterThan(0);
    expect([...(withGroups.id.groups as string[])].sort()).toEqual(securityGroups);
  });

  it("app APIs: unknown scopes, two resources in one request and foreign assertions are refused", async () => {
    const app = DEMO_APPS.applicationPermission;
    const token = (form: Record<string, string>) =>
      fetch(`${sim.loginBaseUrl}/${sim.tenantId}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: app.clientId, client_secret: app.secret, ...form }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error: string; error_codes: number[] },
      }));
    // An on-behalf-of assertion must be a token for the calling app's API; a Graph token is not.
    const graphToken = await demoAppToken(sim);
    const obo = await token({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      requested_token_use: "on_behalf_of",
      assertion: graphToken,
      scope: "https://graph.microsoft.com/User.Read",
    });
    expect([obo.status, obo.body.error, obo.body.error_codes]).toEqual([400, "invalid_grant", [50013]]);
    // A valid assertion naming a scope the API does not expose, and a scope list with two resources.
    const user = person();
    const assertion = await sim.control.mintToken({
      aud: `api://${app.clientId}`,
      iss: `https://sts.windows.net/${sim.tenantId}/`,
      tid: sim.tenantId,
      oid: user?.id,
      scp: "access_as_user",
      ver: "1.0",
    });
    const unknown = await token({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      requested_token_use: "on_behalf_of",
      assertion,
      scope: `api://${app.clientId}/rooms.manage`,
    });
    expect([unknown.status, unknown.body.error, unknown.body.error_codes]).toEqual([
      400,
      "invalid_scope",
      [70011],
    ]);
    const mixed = await token({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      requested_token_use: "on_behalf_of",
      assertion,
      scope: `api://${app.clientId}/access_as_user https://graph.microsoft.com/User.Read`,
    });
    expect([mixed.status, mixed.body.error, mixed.body.error_codes]).toEqual([
      400,
      "invalid_request",
      [28000],
    ]);
  });
});

describe("browser sign-in pages on loopback http", () => {
  it("MSAL Node keeps its https authority and sends browsers to the http authorize page", async () => {
    // msal-common refuses an http authority (UrlString.validateAsUri: "authority_uri_insecure") but
    // builds the authorize URL from the metadata's authorization_endpoint as given.
    const sim = await startM365Simulator({ caDir: CA_DIR, seed: "demo", browserSignInPort: 0 });
    try {
      const http = sim.browserSignInBaseUrl as string;
      expect(http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const config = (await (
        await fetch(`${sim.loginBaseUrl}/${sim.tenantId}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, string>;
      expect(config.authorization_endpoint).toBe(`${http}/${sim.tenantId}/oauth2/v2.0/authorize`);
      expect(config.end_session_endpoint).toBe(`${http}/${sim.tenantId}/oauth2/v2.0/logout`);
      expect(config.token_endpoint).toBe(`${sim.loginBaseUrl}/${sim.tenantId}/oauth2/v2.0/token`);

      const app = DEMO_APPS.applicationPermission;
      const cca = msalFor(sim, app.clientId, app.secret);
      const url = new URL(await cca.getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: REDIRECT }));
      expect(url.origin).toBe(http);
      const page = await fetch(url);
      expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
      // Nothing but the sign-in pages answers over http.
      const graph = await fetch(`${http}/v1.0/users`);
      expect(graph.status).toBe(404);
      const code = new URL(await sim.control.signIn(url.toString(), somePerson(sim)));
      const result = await cca.acquireTokenByCode({
        code: code.searchParams.get("code") as string,
        scopes: ["User.Read"],
        redirectUri: REDIRECT,
      });
      expect(result.idTokenClaims).toMatchObject({ iss: `${sim.loginBaseUrl}/${sim.tenantId}/v2.0` });
    } finally {
      await sim.stop();
    }
  });
});

function somePerson(sim: RunningM365Simulator): string {
  return [...sim.control.store.users.values()].find((u) => !u.isRoomMailbox)?.data
    .userPrincipalName as string;
}

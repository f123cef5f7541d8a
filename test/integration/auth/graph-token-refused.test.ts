import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { GraphClient } from "../../../shared/adapters/graph/graph-client";
import { GraphGateways } from "../../../shared/adapters/graph/graph-gateways";
import { getServices } from "../../../shared/composition/services";
import { GraphCallError } from "../../../shared/domain/integration/graph-call-error";
import { CookieJar, signIn, startAuthStack, type AuthStack } from "./helpers";

/**
 * Access tokens Graph refuses before their stated lifetime (revoked, or expired early): MSAL's cache
 * would keep handing the refused token out, so the Graph client acquires a fresh one, bypassing the
 * cache, and sends the request once more; work goes on without a failure. Real MSAL against the
 * simulator, whose control API expires every token issued so far (Graph then answers 401
 * `InvalidAuthenticationToken`, "Lifetime validation failed, the token is expired.").
 */
let stack: AuthStack;
let user: { id: string; upn: string };

beforeAll(async () => {
  stack = await startAuthStack();
  const rec = stack.sim.control.addUser({
    userPrincipalName: "tom.token@contoso.example",
    displayName: "Tom Token",
  });
  user = { id: rec.id, upn: rec.data.userPrincipalName };
  // Long-lived tokens: MSAL would serve the cached one for the rest of the hour.
  stack.sim.control.configureEntra({ accessTokenLifetimeSeconds: 3600 });
});
afterAll(async () => {
  await stack?.stop();
});

const log = () => stack.sim.control.log;
const tokenRequests = (): number =>
  log()
    .entries({ kind: "entra" })
    .filter((e) => e.path.includes("/token")).length;
/** Statuses and Graph error codes of Graph requests on `path` since `seq`. */
const answers = (path: string, sinceSeq: number): string[] =>
  log()
    .entries({ kind: "graph", path, sinceSeq })
    .map((e) => `${e.status}${e.errorCode === undefined ? "" : ` ${e.errorCode}`}`);
const lastSeq = (): number => log().entries().at(-1)?.seq ?? 0;

describe("a Graph token refused before its lifetime", () => {
  it("app-only: one fresh token from Entra, the request sent once more, later requests on the new token", async () => {
    await stack.configure("application", DEMO_APPS.applicationPermission);
    const client = new GraphGateways(stack.sim.graphBaseUrl, getServices().graphTokens).app();
    const path = `/users/${user.upn}`;
    const read = () => client.get<{ id: string }>(`${path}?$select=id`);
    expect((await read()).id).toBe(user.id);
    const tokensBefore = tokenRequests();
    const since = lastSeq();

    stack.sim.control.expireAccessTokens();
    expect((await read()).id).toBe(user.id);
    expect(answers(path, since)).toEqual(["401 InvalidAuthenticationToken", "200"]);
    expect(tokenRequests() - tokensBefore).toBe(1);

    // MSAL's cache now holds the fresh token: no further token request, no further refusal.
    expect((await read()).id).toBe(user.id);
    expect(answers(path, since)).toEqual(["401 InvalidAuthenticationToken", "200", "200"]);
    expect(tokenRequests() - tokensBefore).toBe(1);
  });

  it("app-only: requests refused at the same moment share one fresh token", async () => {
    await stack.configure("application", DEMO_APPS.applicationPermission);
    const client = new GraphGateways(stack.sim.graphBaseUrl, getServices().graphTokens).app();
    const path = `/users/${user.upn}`;
    await client.get(`${path}?$select=id`);
    const tokensBefore = tokenRequests();
    const since = lastSeq();
    stack.sim.control.expireAccessTokens();
    const ids = await Promise.all(
      [1, 2, 3].map(() => client.get<{ id: string }>(`${path}?$select=id`).then((u) => u.id)),
    );
    expect(ids).toEqual([user.id, user.id, user.id]);
    expect(answers(path, since).sort()).toEqual([
      "200",
      "200",
      "200",
      "401 InvalidAuthenticationToken",
      "401 InvalidAuthenticationToken",
      "401 InvalidAuthenticationToken",
    ]);
    expect(tokenRequests() - tokensBefore).toBe(1);
  });

  it("delegated: the user's token renewed with their refresh token, the request sent once more", async () => {
    await stack.configure("delegated", DEMO_APPS.delegatedPermission);
    expect((await signIn(stack, new CookieJar(), user.upn)).status).toBe(302);
    const client = new GraphGateways(stack.sim.graphBaseUrl, getServices().graphTokens).user(user.id);
    // Calendars.ReadWrite.Shared: the user's own calendar (empty).
    const view = `/users/${user.upn}/calendarView`;
    const read = () =>
      client.get<{ value: unknown[] }>(
        `${view}?startDateTime=2027-01-04T00:00:00Z&endDateTime=2027-01-05T00:00:00Z&$select=id`,
      );
    expect((await read()).value).toEqual([]);
    const tokensBefore = tokenRequests();
    const since = lastSeq();

    stack.sim.control.expireAccessTokens();
    expect((await read()).value).toEqual([]);
    expect(answers(view, since)).toEqual(["401 InvalidAuthenticationToken", "200"]);
    expect(tokenRequests() - tokensBefore).toBe(1);
    expect(await getServices().userTokens.state(user.id)).toBe("ok");
    // The client's reused token is the fresh one.
    expect((await read()).value).toEqual([]);
    expect(answers(view, since)).toEqual(["401 InvalidAuthenticationToken", "200", "200"]);
  });

  it("a token refused again after renewal fails the request after exactly one more try", async () => {
    await stack.configure("application", DEMO_APPS.applicationPermission);
    const stale = await getServices().graphTokens.appToken();
    stack.sim.control.expireAccessTokens();
    let renewals = 0;
    const client = new GraphClient({
      baseUrl: stack.sim.graphBaseUrl,
      token: () => Promise.resolve(stale),
      freshToken: () => {
        renewals++;
        return Promise.resolve(stale);
      },
    });
    const path = `/users/${user.upn}`;
    const since = lastSeq();
    const error = await client.get(`${path}?$select=id`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphCallError);
    expect([(error as GraphCallError).code, (error as GraphCallError).status]).toEqual([
      "unauthenticated",
      401,
    ]);
    expect(renewals).toBe(1);
    expect(answers(path, since)).toEqual([
      "401 InvalidAuthenticationToken",
      "401 InvalidAuthenticationToken",
    ]);

    // Without a way to renew (a fixed token), the refusal stands at once.
    const fixed = new GraphClient({ baseUrl: stack.sim.graphBaseUrl, token: () => Promise.resolve(stale) });
    const again = lastSeq();
    await expect(fixed.get(`${path}?$select=id`)).rejects.toBeInstanceOf(GraphCallError);
    expect(answers(path, again)).toEqual(["401 InvalidAuthenticationToken"]);
  });
});

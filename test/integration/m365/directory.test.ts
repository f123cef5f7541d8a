import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { appToken, demoAppToken, graphFetch, startSim } from "./helpers";

interface DeltaPage {
  value: Array<Record<string, unknown>>;
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

describe("directory: users, groups, members, delta", () => {
  let sim: RunningM365Simulator;
  let token: string;
  const get = async (path: string, headers: Record<string, string> = {}) =>
    graphFetch(sim, token, path, { headers });
  const getUrl = async (url: string, headers: Record<string, string> = {}) =>
    fetch(url, { headers: { Authorization: `Bearer ${token}`, ...headers } });

  beforeAll(async () => {
    sim = await startSim();
  });
  beforeEach(async () => {
    sim.control.seed("demo");
    token = await demoAppToken(sim);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("gets a user by id and by UPN, and answers 404 in Graph's shape", async () => {
    const u = [...sim.control.store.users.values()][3];
    const byUpn = await get(`/users/${encodeURIComponent(u?.data.userPrincipalName ?? "")}`);
    const body = (await byUpn.json()) as Record<string, unknown>;
    expect(body.id).toBe(u?.id);
    expect(Object.keys(body).sort()).toEqual(
      [
        "@odata.context",
        "businessPhones",
        "displayName",
        "givenName",
        "id",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
      ].sort(),
    );
    const missing = await get("/users/nobody@contoso.example");
    expect(missing.status).toBe(404);
    const err = (await missing.json()) as {
      error: { code: string; message: string; innerError: Record<string, string> };
    };
    expect(err.error.code).toBe("Request_ResourceNotFound");
    expect(err.error.innerError["client-request-id"]).toBe(missing.headers.get("client-request-id"));
    expect(err.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it("room mailboxes are users too", async () => {
    const res = await get(`/users/room-hq-101@contoso.example?$select=displayName,accountEnabled`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accountEnabled: boolean }).accountEnabled).toBe(false);
  });

  it("OData: $select validation, $filter, $orderby, $count with ConsistencyLevel", async () => {
    const bad = await get("/users?$select=displayName,notAProperty");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("notAProperty");

    const filtered = (await (
      await get("/users?$filter=startsWith(displayName,'A')&$select=displayName")
    ).json()) as { value: Array<{ displayName: string }> };
    expect(filtered.value.length).toBeGreaterThan(0);
    expect(filtered.value.every((u) => u.displayName.startsWith("A"))).toBe(true);

    const endsWith = await get("/users?$filter=endsWith(mail,'@fabrikam.example')");
    expect(endsWith.status).toBe(400);
    expect(((await endsWith.json()) as { error: { code: string } }).error.code).toBe(
      "Request_UnsupportedQuery",
    );
    const advanced = await get("/users?$filter=endsWith(mail,'@fabrikam.example')&$count=true&$top=999", {
      ConsistencyLevel: "eventual",
    });
    const adv = (await advanced.json()) as { value: unknown[]; "@odata.count": number };
    expect(adv["@odata.count"]).toBe(adv.value.length);
    expect(adv.value.length).toBe(60 + 12);

    const countNoHeader = await get("/users?$count=true");
    expect(countNoHeader.status).toBe(400);
    const count = await get("/users/$count", { ConsistencyLevel: "eventual" });
    expect(await count.text()).toBe("224");

    const ordered = (await (
      await get("/users?$orderby=displayName desc&$top=999&$select=displayName")
    ).json()) as { value: Array<{ displayName: string }> };
    const names = ordered.value.map((u) => u.displayName);
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a, "en", { sensitivity: "base" })));
    const badOrder = await get("/users?$orderby=department");
    expect(badOrder.status).toBe(400);

    const top = await get("/users?$top=1000");
    expect(top.status).toBe(400);
  });

  it("lists groups and their members (id + type only without user read permission)", async () => {
    const groups = (await (await get("/groups?$filter=displayName eq 'Facilities'")).json()) as {
      value: Array<{ id: string }>;
    };
    const id = groups.value[0]?.id;
    const members = (await (await get(`/groups/${id}/members?$top=5`)).json()) as {
      value: Array<Record<string, unknown>>;
    };
    expect(members.value[0]?.["@odata.type"]).toBe("#microsoft.graph.user");
    expect(members.value[0]?.userPrincipalName).toBeTruthy();

    const reg = sim.control.registerApp({
      displayName: "groups only",
      secrets: ["s"],
      applicationPermissions: ["GroupMember.Read.All"],
    });
    const limited = await appToken(sim, reg.clientId, "s");
    const limitedMembers = (await (await graphFetch(sim, limited, `/groups/${id}/members`)).json()) as {
      value: Array<Record<string, unknown>>;
    };
    expect(Object.keys(limitedMembers.value[0] ?? {}).sort()).toEqual(["@odata.type", "id"]);
  });

  async function drain(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ items: Array<Record<string, unknown>>; deltaLink: string; pages: number }> {
    const items: Array<Record<string, unknown>> = [];
    let next: string | undefined = url;
    let pages = 0;
    for (;;) {
      const res = await getUrl(next, headers);
      expect(res.status).toBe(200);
      const page = (await res.json()) as DeltaPage;
      pages++;
      items.push(...page.value);
      if (page["@odata.deltaLink"]) return { items, deltaLink: page["@odata.deltaLink"], pages };
      next = page["@odata.nextLink"];
      if (!next) throw new Error("no link");
    }
  }

  it("users/delta: full sync in pages, then changes with @removed changed/deleted and $select tracking", async () => {
    const initial = await drain(`${sim.graphBaseUrl}/v1.0/users/delta?$select=displayName,jobTitle`, {
      Prefer: "odata.maxpagesize=50",
    });
    expect(initial.items).toHaveLength(224);
    expect(initial.pages).toBe(5);

    const [a, b, c, d] = [...sim.control.store.users.values()].filter((u) => !u.isRoomMailbox);
    sim.control.updateUser(a?.id ?? "", { jobTitle: "Chief Room Officer" });
    sim.control.updateUser(b?.id ?? "", { mobilePhone: "+1 555 0000" }); // not selected → not reported
    sim.control.deleteUser(c?.id ?? "");
    sim.control.deleteUser(d?.id ?? "", { hard: true });
    const added = sim.control.addUser({
      userPrincipalName: "new.person@contoso.example",
      displayName: "New Person",
    });

    const round = await drain(initial.deltaLink);
    const byId = new Map(round.items.map((i) => [i.id as string, i]));
    expect(byId.get(a?.id ?? "")).toMatchObject({ jobTitle: "Chief Room Officer" });
    expect(byId.has(b?.id ?? "")).toBe(false);
    expect(byId.get(c?.id ?? "")).toEqual({ id: c?.id, "@removed": { reason: "changed" } });
    expect(byId.get(d?.id ?? "")).toEqual({ id: d?.id, "@removed": { reason: "deleted" } });
    expect(byId.get(added.id)).toMatchObject({ displayName: "New Person" });
    expect(round.items).toHaveLength(4);

    const quiet = await drain(round.deltaLink);
    expect(quiet.items).toHaveLength(0);
  });

  it("groups/delta: members@delta with additions and @removed members", async () => {
    const initial = await drain(`${sim.graphBaseUrl}/v1.0/groups/delta?$select=displayName,members`);
    expect(initial.items).toHaveLength(12);
    const pilot = initial.items.find((g) => g.displayName === "ONES Pilot");
    expect((pilot?.["members@delta"] as unknown[]).length).toBeGreaterThan(0);

    const group = [...sim.control.store.groups.values()].find((g) => g.data.displayName === "Sales");
    const outsider = [...sim.control.store.users.values()].find(
      (u) => !u.isRoomMailbox && !group?.members.has(u.id),
    );
    const insider = [...(group?.members ?? [])][0] as string;
    sim.control.addMember(group?.id ?? "", outsider?.id ?? "");
    sim.control.removeMember(group?.id ?? "", insider);

    const round = await drain(initial.deltaLink);
    expect(round.items).toHaveLength(1);
    expect(round.items[0]?.["members@delta"]).toEqual([
      { "@odata.type": "#microsoft.graph.user", id: outsider?.id },
      { "@odata.type": "#microsoft.graph.user", id: insider, "@removed": { reason: "deleted" } },
    ]);
  });

  it("an expired delta token gives 410 syncStateNotFound with a Location to restart", async () => {
    const initial = await drain(`${sim.graphBaseUrl}/v1.0/users/delta?$select=displayName`);
    sim.control.advanceClock(8 * 24 * 3600 * 1000);
    token = await demoAppToken(sim);
    const res = await getUrl(initial.deltaLink);
    expect(res.status).toBe(410);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("syncStateNotFound");
    expect(res.headers.get("location")).toMatch(/\/v1\.0\/users\/delta\?\$select=displayName&\$deltatoken=$/);

    const fresh = await drain(`${sim.graphBaseUrl}/v1.0/groups/delta`);
    sim.control.expireDeltaTokens();
    expect((await getUrl(fresh.deltaLink)).status).toBe(410);
  });

  it("Prefer: return=minimal returns only the changed properties", async () => {
    const initial = await drain(
      `${sim.graphBaseUrl}/v1.0/users/delta?$select=displayName,jobTitle,department`,
    );
    const u = [...sim.control.store.users.values()].find((x) => !x.isRoomMailbox);
    sim.control.updateUser(u?.id ?? "", { jobTitle: "Workplace Lead" });
    const round = await drain(initial.deltaLink, { Prefer: "return=minimal" });
    expect(round.items).toEqual([{ jobTitle: "Workplace Lead", id: u?.id }]);
  });

  it("$deltatoken=latest returns only a deltaLink", async () => {
    const res = await get("/users/delta?$deltatoken=latest");
    const body = (await res.json()) as DeltaPage;
    expect(body.value).toHaveLength(0);
    expect(body["@odata.deltaLink"]).toBeTruthy();
  });
});

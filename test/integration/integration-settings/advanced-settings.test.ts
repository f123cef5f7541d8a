import { TableClient } from "@azure/data-tables";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { getServices } from "../../../shared/composition/services";
import { CookieJar, signIn } from "../auth/helpers";
import { appOfMode, grantsOf, startAdminStack, type AdminStack } from "./helpers";

/**
 * Cross-domain representatives and the sender address: checked against the tenant with the current
 * integration's permissions; anything refused is a 400 problem naming the field, and nothing is stored.
 */
let s: AdminStack;
const restore: (() => void)[] = [];
let contosoPerson: string;
let fabrikamPerson: string;

beforeAll(async () => {
  s = await startAdminStack();
  const people = [...s.stack.sim.control.store.users.values()].filter((u) => !u.isRoomMailbox);
  const inDomain = (d: string) =>
    people.find((u) => u.data.userPrincipalName.endsWith(`@${d}`))?.data.userPrincipalName ?? "";
  contosoPerson = inDomain("contoso.example");
  fabrikamPerson = inDomain("fabrikam.example");
});
afterEach(async () => {
  for (const undo of restore.splice(0)) undo();
  await getServices().crossDomain.save({ representatives: [] });
  await getServices().mailSettings.save({ senderAddress: "" });
});
afterAll(async () => {
  await s.stack.stop();
});

/** A room ONES knows (as the rooms sync stores it): its mailbox domain is one of the tenant's. */
async function addRoom(email: string): Promise<void> {
  const table = TableClient.fromConnectionString(inject("tablesConnectionString"), `${s.stack.prefix}rooms`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
  await table.upsertEntity({ partitionKey: "room", rowKey: email, email, active: true }, "Merge");
}

interface Problem {
  status: number;
  type: string;
  errors: { path: string; message: string }[];
}

async function expectProblem(response: Response, paths: string[]): Promise<Problem> {
  expect(response.status).toBe(400);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await response.json()) as Problem;
  expect(problem.errors.map((e) => e.path)).toEqual(paths);
  return problem;
}

describe("cross-domain representatives", () => {
  it("saves a representative that is in its domain and readable, and shows it", async () => {
    const jar = await s.signInAs("application");
    const body = { representatives: [{ domain: "Fabrikam.example", mailbox: fabrikamPerson }] };
    const put = await s.call(jar, "PUT", "/api/admin/settings/cross-domain", body);
    expect(put.status).toBe(200);
    const expected = { representatives: [{ domain: "fabrikam.example", mailbox: fabrikamPerson }] };
    expect(await put.json()).toEqual(expected);
    const got = await s.call(jar, "GET", "/api/admin/settings/cross-domain");
    expect(await got.json()).toEqual(expected);
    // The check read the mailbox's calendar with the app token.
    const reads = s.stack.sim.control.log.entries({ path: "/calendarView", kind: "graph" });
    expect(
      reads.some((e) => e.path.toLowerCase().includes(encodeURIComponent(fabrikamPerson).toLowerCase())),
    ).toBe(true);
  });

  it("refuses a mailbox outside its domain, naming it; nothing stored", async () => {
    const jar = await s.signInAs("application");
    const body = {
      representatives: [
        { domain: "contoso.example", mailbox: contosoPerson },
        { domain: "fabrikam.example", mailbox: contosoPerson },
      ],
    };
    const problem = await expectProblem(await s.call(jar, "PUT", "/api/admin/settings/cross-domain", body), [
      "representatives.1.mailbox",
    ]);
    expect(problem.errors[0]?.message).toMatch(/fabrikam\.example/);
    expect(await getServices().crossDomain.get()).toEqual({ representatives: [] });
  });

  it("refuses a mailbox that does not exist", async () => {
    const jar = await s.signInAs("application");
    const body = {
      representatives: [{ domain: "fabrikam.example", mailbox: "nobody.here@fabrikam.example" }],
    };
    const problem = await expectProblem(await s.call(jar, "PUT", "/api/admin/settings/cross-domain", body), [
      "representatives.0.mailbox",
    ]);
    expect(problem.errors[0]?.message).toMatch(/no such mailbox/i);
    expect(await getServices().crossDomain.get()).toEqual({ representatives: [] });
  });

  it("refuses a mailbox the current permissions cannot read (resource-only mode scoped to rooms)", async () => {
    const jar = await s.signInAs("application-resource-only");
    const body = { representatives: [{ domain: "fabrikam.example", mailbox: fabrikamPerson }] };
    const problem = await expectProblem(await s.call(jar, "PUT", "/api/admin/settings/cross-domain", body), [
      "representatives.0.mailbox",
    ]);
    expect(problem.errors[0]?.message).toMatch(/management scope/);
    expect(await getServices().crossDomain.get()).toEqual({ representatives: [] });
  });

  it("refuses malformed input before any check", async () => {
    const jar = await s.signInAs("application");
    const body = { representatives: [{ domain: "not a domain", mailbox: "x" }] };
    await expectProblem(await s.call(jar, "PUT", "/api/admin/settings/cross-domain", body), [
      "representatives.0.domain",
      "representatives.0.mailbox",
    ]);
  });
});

describe("sender address", () => {
  it("application mode without Organization.Read.All: falls back to the domains of the tenant's rooms", async () => {
    await addRoom("room-known-1@fabrikam.example");
    const jar = await s.signInAs("application");
    const put = await s.call(jar, "PUT", "/api/admin/settings/mail", {
      senderAddress: "ones@fabrikam.example",
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      senderAddress: "ones@fabrikam.example",
      domainCheck: { source: "known", domains: ["fabrikam.example"] },
    });
    const got = await s.call(jar, "GET", "/api/admin/settings/mail");
    expect(await got.json()).toEqual({ senderAddress: "ones@fabrikam.example" });
  });

  it("without Organization.Read.All, a (guest) admin's own domain is not taken for a tenant domain", async () => {
    await addRoom("room-known-1@fabrikam.example");
    await s.signInAs("application");
    const guest = s.stack.sim.control.addUser({
      userPrincipalName: "gail.guest@home.example",
      displayName: "Gail Guest",
      mail: "gail.guest@home.example",
    });
    s.stack.sim.control.addMember(s.admin.groupId, guest.id);
    const jar = new CookieJar();
    expect((await signIn(s.stack, jar, guest.data.userPrincipalName)).status).toBe(302);
    const problem = await expectProblem(
      await s.call(jar, "PUT", "/api/admin/settings/mail", { senderAddress: "ones@home.example" }),
      ["senderAddress"],
    );
    expect(problem.errors[0]?.message).toMatch(/home\.example/);
    expect(await getServices().mailSettings.get()).toEqual({});
  });

  it("with Organization.Read.All: any verified domain of the tenant (GET /organization)", async () => {
    const { clientId } = appOfMode.application;
    const before = grantsOf(s.stack, clientId);
    s.stack.sim.control.grant(clientId, { application: [...before.application, "Organization.Read.All"] });
    restore.push(() => s.stack.sim.control.grant(clientId, before));
    const jar = await s.signInAs("application");
    for (const domain of ["contoso.example", "fabrikam.example"]) {
      const put = await s.call(jar, "PUT", "/api/admin/settings/mail", { senderAddress: `ones@${domain}` });
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({ domainCheck: { source: "graph" } });
    }
    expect(s.stack.sim.control.log.entries({ path: "/organization", kind: "graph" }).length).toBeGreaterThan(
      0,
    );
  });

  it("delegated mode: the admin's token (User.Read) reads the verified domains", async () => {
    const jar = await s.signInAs("delegated");
    const put = await s.call(jar, "PUT", "/api/admin/settings/mail", {
      senderAddress: "ones@fabrikam.example",
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ domainCheck: { source: "graph" } });
  });

  it("refuses an address in a domain the tenant has not verified; nothing stored", async () => {
    const jar = await s.signInAs("delegated");
    const problem = await expectProblem(
      await s.call(jar, "PUT", "/api/admin/settings/mail", { senderAddress: "ones@example.org" }),
      ["senderAddress"],
    );
    expect(problem.errors[0]?.message).toMatch(/example\.org/);
    expect(await getServices().mailSettings.get()).toEqual({});
  });

  it("refuses what is not an address", async () => {
    const jar = await s.signInAs("application");
    await expectProblem(await s.call(jar, "PUT", "/api/admin/settings/mail", { senderAddress: "ones" }), [
      "senderAddress",
    ]);
  });

  it("is for admins only", async () => {
    const jar = await s.signInAs("application", "staff");
    expect((await s.call(jar, "GET", "/api/admin/settings/mail")).status).toBe(403);
    expect((await s.call(jar, "GET", "/api/admin/settings/cross-domain")).status).toBe(403);
  });
});

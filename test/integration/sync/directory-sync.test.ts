import { describe, expect, inject, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import type { DirectoryGateway, GraphPage, M365Gateways } from "../../../shared/app/ports/m365-gateways";
import { personAccess } from "../../../shared/app/sync/person-access";
import { runSync } from "../../../shared/app/sync/run-sync";
import type { DirectoryUser } from "../../../shared/domain/people/person";
import { useDemoSimulator } from "../m365/helpers";
import { countRows, harness, rows, type Harness } from "./harness";

const conn = inject("tablesConnectionString");

describe("directory sync against the simulator and Azurite", () => {
  let sim: RunningM365Simulator;
  useDemoSimulator((started) => (sim = started), { reseed: true });

  const graphCalls = (path: RegExp) => sim.control.log.entries({ kind: "graph", path }).length;

  async function firstSync(h: Harness) {
    expect((await runSync(h.deps, "rooms", "timer")).outcome).toBe("succeeded");
    const result = await runSync(h.deps, "directory", "timer");
    expect(result.outcome).toBe("succeeded");
    return result;
  }

  it("first sync: people without room mailboxes, groups, memberships; few requests and full transactions", async () => {
    const h = harness(sim, conn, "application");
    const result = await firstSync(h);
    const users = [...sim.control.store.users.values()];
    const people = users.filter((u) => !u.isRoomMailbox).length;
    expect(await countRows(h.tables, "users")).toBe(people);
    expect(result.status?.counts?.roomMailboxesSkipped).toBe(users.length - people);
    const groups = [...sim.control.store.groups.values()];
    expect(await countRows(h.tables, "groups")).toBe(groups.length);
    const memberships = groups.reduce((n, g) => n + g.members.size, 0);
    expect(await countRows(h.tables, "memberships")).toBe(memberships);
    // One page each with Prefer: odata.maxpagesize=999.
    expect(graphCalls(/\/users\/delta/)).toBe(1);
    expect(graphCalls(/\/groups\/delta/)).toBe(1);
    const log = sim.control.log.entries({ kind: "graph", path: /\/users\/delta/ });
    expect(log[0]?.query).toContain("$select=");
    const status = await h.state.status("directory");
    expect(status).toMatchObject({ state: "succeeded", trigger: "timer" });
    expect(status?.lastSuccessAt).toBe(h.clock.toISOString());
  });

  it("incremental: adds, updates, soft and hard deletes, disabled accounts and membership changes; only changes written", async () => {
    const h = harness(sim, conn, "application");
    await firstSync(h);
    const c = sim.control;
    const added = c.addUser({ userPrincipalName: "new.person@contoso.example", displayName: "New Person" });
    const [u1, u2, u3, u4] = [...c.store.users.values()].filter((u) => !u.isRoomMailbox);
    c.updateUser(u1!.id, { department: "Research" });
    c.deleteUser(u2!.id);
    c.deleteUser(u3!.id, { hard: true });
    c.updateUser(u4!.id, { accountEnabled: false });
    const pilot = [...c.store.groups.values()].find((g) => g.data.displayName === "ONES Pilot")!;
    c.addMember(pilot.id, added.id);
    const leaving = [...pilot.members].find((m) => c.store.users.has(m))!;
    c.removeMember(pilot.id, leaving);
    const doomed = [...c.store.groups.values()].find((g) => g.data.displayName === "Sales")!;
    c.deleteGroup(doomed.id);
    c.log.clear();

    const result = await runSync(h.deps, "directory", "admin");
    expect(result.outcome).toBe("succeeded");
    expect(graphCalls(/\/users\/delta/)).toBe(1);
    expect(graphCalls(/\/groups\/delta/)).toBe(1);
    const people = h.store.people;
    expect((await people.person(added.id))?.status).toBe("active");
    expect((await people.person(u1!.id))?.department).toBe("Research");
    expect(await people.person(u2!.id)).toMatchObject({ status: "deleted", removedReason: "changed" });
    expect(await people.person(u3!.id)).toMatchObject({ status: "deleted", removedReason: "deleted" });
    expect((await people.person(u4!.id))?.status).toBe("disabled");
    // The sign-in guard's answer.
    expect(await personAccess(people, u4!.id)).toEqual({ allowed: false, status: "disabled" });
    expect(await personAccess(people, u3!.id)).toEqual({ allowed: false, status: "deleted" });
    expect((await personAccess(people, u1!.id)).allowed).toBe(true);
    const pilotMembers = (await people.membersOf(pilot.id)).map((m) => m.memberId);
    expect(pilotMembers).toContain(added.id);
    expect(pilotMembers).not.toContain(leaving);
    expect((await people.groups([doomed.id])).get(doomed.id)?.status).toBe("deleted");
    expect(await people.membersOf(doomed.id)).toEqual([]);
    // Only what changed: 5 people, the groups whose members changed, and member rows; nothing else.
    const counts = result.status?.counts ?? {};
    expect(counts.usersRead).toBeLessThanOrEqual(6);
    expect(
      (counts.written ?? 0) - (counts.membershipsAdded ?? 0) - (counts.membershipsRemoved ?? 0),
    ).toBeLessThanOrEqual(12);

    c.log.clear();
    const idle = await runSync(h.deps, "directory", "timer");
    expect(idle.status?.counts?.written).toBe(0);
  });

  it("410 syncStateNotFound: full resync, and whoever vanished meanwhile is swept", async () => {
    const h = harness(sim, conn, "application");
    await firstSync(h);
    const victim = [...sim.control.store.users.values()].find((u) => !u.isRoomMailbox)!;
    sim.control.expireDeltaTokens();
    // Gone permanently while no delta token was valid: only a full round can notice.
    sim.control.store.users.delete(victim.id);
    sim.control.log.clear();
    const result = await runSync(h.deps, "directory", "timer");
    expect(result.outcome).toBe("succeeded");
    expect(result.status?.counts?.resynced).toBe(1);
    expect(sim.control.log.entries({ kind: "graph", status: 410 }).length).toBeGreaterThan(0);
    expect(await h.store.people.person(victim.id)).toMatchObject({
      status: "deleted",
      removedReason: "missing",
    });
    // Nothing else changed, so nothing else was written.
    expect(result.status?.counts?.written).toBe(1);
    expect(h.logs.some((l) => l.includes("full resync"))).toBe(true);
  });

  it("a 429 storm is waited out (Retry-After honoured) and does not fail the run", async () => {
    const h = harness(sim, conn, "application");
    sim.control.faults.throttleStorm(8, 0);
    const result = await firstSync(h);
    expect(result.outcome).toBe("succeeded");
    expect(sim.control.log.entries({ kind: "graph", status: 429 }).length).toBe(8);
    expect(await countRows(h.tables, "users")).toBe(200);
  });

  it("a crash mid-round resumes from the last committed page: no gaps, no duplicates, earlier pages not re-read", async () => {
    sim.control.seed({ demo: { users: 3500 } });
    const h = harness(sim, conn, "application");
    expect((await runSync(h.deps, "rooms", "timer")).outcome).toBe("succeeded");
    const real = h.gateways;
    let pages = 0;
    const crashing: M365Gateways = {
      places: () => real.places(),
      roomCalendarProbe: () => real.roomCalendarProbe(),
      directory: (): DirectoryGateway => ({
        groups: (from) => real.directory().groups(from),
        users: (from) =>
          (async function* (): AsyncGenerator<GraphPage<DirectoryUser>> {
            for await (const page of real.directory().users(from)) {
              if (++pages === 4) throw new Error("worker died");
              yield page;
            }
          })(),
      }),
    };
    const crashed = await runSync({ ...h.deps, gateways: crashing }, "directory", "timer");
    expect(crashed.outcome).toBe("failed");
    expect(crashed.status?.lastError?.code).toBe("internal");
    const cursor = await h.state.cursor("directory", "users");
    expect(cursor?.resumeLink).toContain("skiptoken");
    expect(cursor?.pagesCommitted).toBeGreaterThanOrEqual(1);

    sim.control.log.clear();
    const resumed = await runSync(h.deps, "directory", "timer");
    expect(resumed.outcome).toBe("succeeded");
    expect(resumed.status?.resumed).toBe(true);
    const requests = sim.control.log.entries({ kind: "graph", path: /\/users\/delta/ });
    expect(requests[0]?.query).toContain("skiptoken");
    expect(requests.length).toBe(4 - (cursor?.pagesCommitted ?? 0));
    const people = await rows(h.tables, "users");
    expect(people.length).toBe(3500);
    expect(new Set(people.map((p) => p.rowKey)).size).toBe(3500);
  });

  it("one run at a time: a second caller joins the run in this worker; a lease held elsewhere refuses", async () => {
    const h = harness(sim, conn, "application");
    const [a, b] = await Promise.all([runSync(h.deps, "rooms", "timer"), runSync(h.deps, "rooms", "admin")]);
    expect(a.outcome).toBe("succeeded");
    expect(b).toMatchObject({ outcome: "succeeded", joined: true, runId: a.runId });
    expect(graphCalls(/microsoft\.graph\.room$/)).toBe(1);

    expect(await h.state.acquireLease("directory", "other-worker", 60_000, h.clock)).toEqual({
      acquired: true,
    });
    const refused = await runSync(h.deps, "directory", "admin");
    expect(refused).toMatchObject({ outcome: "already-running", runId: "other-worker" });
    expect(graphCalls(/\/users\/delta/)).toBe(0);
    // Once the lease of a crashed worker expires, the next run goes ahead.
    h.clock = new Date(h.clock.getTime() + 61_000);
    expect((await runSync(h.deps, "directory", "timer")).outcome).toBe("succeeded");
  });
});

import { describe, expect, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { timerWait } from "../../../dev/m365/services";
import { appToken, graphFetch, useDemoSimulator } from "./helpers";

describe("fault injection", () => {
  let sim: RunningM365Simulator;
  let token: string;

  useDemoSimulator((started, demoToken) => {
    sim = started;
    token = demoToken;
  });

  async function statuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await graphFetch(sim, token, "/users?$top=1")).status);
    return out;
  }

  it("error rates are deterministic for a seed", async () => {
    sim.control.faults.configure({ seed: 7, errorRate: 0.3, errorStatus: 503 });
    const a = await statuses(40);
    sim.control.faults.configure({ seed: 7 });
    const b = await statuses(40);
    sim.control.faults.configure({ seed: 8 });
    const c = await statuses(40);
    sim.control.faults.reset();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // The seeded PRNG fixes the outcome: seed 7 fails exactly these 16 of 40 requests.
    expect(a.filter((s) => s === 503)).toHaveLength(16);
    expect(a.filter((s) => s === 200)).toHaveLength(24);
  });

  it("injected 503s carry Retry-After and Graph's error body; latency is added", async () => {
    sim.control.faults.configure({ errorRate: 1, errorStatus: 503, retryAfterSeconds: 2 });
    const res = await graphFetch(sim, token, "/groups");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ServiceUnavailable");
    sim.control.faults.reset();
    // Latency is waited out through the simulator's injectable wait: recorded here, no wall time spent.
    const waited: number[] = [];
    sim.control.useWait((ms) => {
      waited.push(ms);
      return Promise.resolve();
    });
    try {
      sim.control.faults.configure({ latencyMs: [120, 120] });
      expect((await graphFetch(sim, token, "/groups")).status).toBe(200);
      expect(waited).toEqual([120]);
      sim.control.faults.reset();
      expect((await graphFetch(sim, token, "/groups")).status).toBe(200);
      expect(waited).toEqual([120]);
    } finally {
      sim.control.useWait(timerWait);
      sim.control.faults.reset();
    }
  });

  it("a hold keeps matching requests unanswered until released; others pass", async () => {
    const release = sim.control.faults.hold("/groups");
    let answered = false;
    const held = graphFetch(sim, token, "/groups").then((res) => {
      answered = true;
      return res.status;
    });
    // Another path is answered while the groups request waits.
    expect((await graphFetch(sim, token, "/users?$top=1")).status).toBe(200);
    expect(answered).toBe(false);
    release();
    expect(await held).toBe(200);
    // A reset lets held requests go too.
    sim.control.faults.hold("/groups");
    const second = graphFetch(sim, token, "/groups");
    sim.control.faults.reset();
    expect((await second).status).toBe(200);
  });

  it("the control API is reachable over HTTP", async () => {
    const storm = await fetch(`${sim.graphBaseUrl}/_sim/faults/throttle-storm`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 1, retryAfterSeconds: 0 }),
    });
    expect(storm.status).toBe(200);
    expect((await graphFetch(sim, token, "/groups")).status).toBe(429);
    expect((await graphFetch(sim, token, "/groups")).status).toBe(200);
    const log = (await (await fetch(`${sim.graphBaseUrl}/_sim/log?path=/v1.0/groups`)).json()) as {
      entries: Array<{ status: number }>;
    };
    expect(log.entries.slice(-2).map((e) => e.status)).toEqual([429, 200]);
    const tenant = (await (await fetch(`${sim.graphBaseUrl}/_sim/tenant`)).json()) as {
      users: number;
      rooms: number;
      groups: number;
    };
    expect(tenant).toMatchObject({ users: 200, rooms: 24, groups: 12 });
  });

  it("seeds a tenant from a JSON description over HTTP, then back to the demo tenant", async () => {
    const seed = {
      tenantId: "0b7c2d58-1111-4222-8333-944455556666",
      domains: ["tiny.example"],
      users: [{ userPrincipalName: "ann@tiny.example", displayName: "Ann" }],
      roomLists: [{ emailAddress: "rooms@tiny.example", displayName: "Rooms" }],
      rooms: [
        {
          emailAddress: "blue@tiny.example",
          displayName: "Blue",
          capacity: 6,
          roomLists: ["rooms@tiny.example"],
        },
      ],
      groups: [{ displayName: "Everyone", members: ["ann@tiny.example"] }],
      apps: [
        {
          clientId: "c0ffee00-0000-4000-8000-000000000001",
          displayName: "tiny",
          secrets: ["pw"],
          applicationPermissions: ["User.Read.All"],
        },
      ],
    };
    const res = await fetch(`${sim.graphBaseUrl}/_sim/tenant`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(seed),
    });
    expect(res.status).toBe(200);
    expect(sim.tenantId).toBe(seed.tenantId);
    const tiny = await appToken(sim, "c0ffee00-0000-4000-8000-000000000001", "pw");
    const users = (await (await graphFetch(sim, tiny, "/users")).json()) as {
      value: Array<{ userPrincipalName: string }>;
    };
    expect(users.value.map((u) => u.userPrincipalName).sort()).toEqual([
      "ann@tiny.example",
      "blue@tiny.example",
    ]);
    // the old tenant's token is for another tenant now
    expect((await graphFetch(sim, token, "/users")).status).toBe(401);
    await fetch(`${sim.graphBaseUrl}/_sim/tenant`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ demo: {} }),
    });
    expect(sim.control.summary()).toMatchObject({ users: 200, rooms: 24 });
  });
});

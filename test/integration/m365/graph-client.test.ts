import { describe, expect, it } from "vitest";
import {
  BatchRequestContent,
  BatchResponseContent,
  PageIterator,
  type PageCollection,
} from "@microsoft/microsoft-graph-client";
import type { RunningM365Simulator } from "../../../dev/m365";
import { graphFetch, graphFor, useDemoSimulator } from "./helpers";

type BatchBody = ConstructorParameters<typeof BatchResponseContent>[0];

describe("the real @microsoft/microsoft-graph-client against the simulator", () => {
  let sim: RunningM365Simulator;
  let token: string;

  useDemoSimulator((started, demoToken) => {
    sim = started;
    token = demoToken;
  });

  /** A raw JSON $batch POST (keeps the status visible, unlike the client). */
  const postBatch = (requests: unknown[]) =>
    graphFetch(sim, token, "/$batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requests }),
    });

  it("PageIterator follows @odata.nextLink across pages of /users", async () => {
    const client = graphFor(sim, () => Promise.resolve(token));
    const first = (await client.api("/users").top(50).select("id,displayName").get()) as PageCollection;
    const seen: string[] = [];
    const iterator = new PageIterator(client, first, (u: { id: string }) => {
      seen.push(u.id);
      return true;
    });
    await iterator.iterate();
    // 200 people + 24 room mailboxes (room mailboxes are users too)
    expect(seen).toHaveLength(224);
    expect(new Set(seen).size).toBe(224);
    const calls = sim.control.log.entries({ path: "/v1.0/users", kind: "graph" });
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(calls.every((c) => c.status === 200)).toBe(true);
  });

  it("RetryHandler retries a 429 storm honouring Retry-After: 0", async () => {
    const client = graphFor(sim, () => Promise.resolve(token));
    const since = sim.control.log.lastSeq;
    sim.control.faults.throttleStorm(2, 0);
    const me = await client.api(`/users/${[...sim.control.store.users.values()][0]?.id}`).get();
    expect(me.id).toBeTruthy();
    const calls = sim.control.log.entries({ sinceSeq: since, kind: "graph" });
    expect(calls.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(calls[2]?.headers["retry-attempt"]).toBe("2");
  });

  it("JSON batching: per-request status, dependsOn, 424 for failed dependencies", async () => {
    const client = graphFor(sim, () => Promise.resolve(token));
    const user = [...sim.control.store.users.values()][1];
    const batch = new BatchRequestContent([
      {
        id: "1",
        request: new Request(`${sim.graphBaseUrl}/v1.0/users/${user?.id}?$select=displayName`, {
          method: "GET",
        }),
      },
      {
        id: "2",
        request: new Request(`${sim.graphBaseUrl}/v1.0/users/not-a-user`, { method: "GET" }),
        dependsOn: ["1"],
      },
      {
        id: "3",
        request: new Request(`${sim.graphBaseUrl}/v1.0/groups?$top=1`, { method: "GET" }),
        dependsOn: ["2"],
      },
    ]);
    const raw = await client.api("/$batch").post(await batch.getContent());
    const res = new BatchResponseContent(raw as BatchBody);
    expect(res.getResponseById("1").status).toBe(200);
    // Inner bodies are JSON objects with `Content-Type` as Graph spells it, so the SDK's Response reads them.
    expect(((await res.getResponseById("1").json()) as { displayName: string }).displayName).toBe(
      user?.data.displayName,
    );
    expect(res.getResponseById("2").status).toBe(404);
    expect(res.getResponseById("3").status).toBe(424);
    const parallel = new BatchRequestContent([
      {
        id: "a",
        request: new Request(`${sim.graphBaseUrl}/v1.0/places/microsoft.graph.roomList`, { method: "GET" }),
      },
      {
        id: "b",
        request: new Request(`${sim.graphBaseUrl}/v1.0/groups/$count`, {
          method: "GET",
          headers: { ConsistencyLevel: "eventual" },
        }),
      },
    ]);
    const both = new BatchResponseContent(
      (await client.api("/$batch").post(await parallel.getContent())) as BatchBody,
    );
    expect(both.getResponseById("a").status).toBe(200);
    expect(both.getResponseById("b").status).toBe(200);
    const inner = sim.control.log.entries({ path: "/v1.0/users/not-a-user" });
    const batches = sim.control.log.entries({ path: "/v1.0/$batch" }).map((e) => e.requestId);
    expect(batches).toContain(inner[0]?.batchId);
  });

  it("batches over 20 requests or with duplicate ids are refused with 400", async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: "GET",
      url: "/users?$top=1",
    }));
    const tooMany = await postBatch(requests);
    expect(tooMany.status).toBe(400);
    const dup = await postBatch([
      { id: "a", method: "GET", url: "/users" },
      { id: "a", method: "GET", url: "/groups" },
    ]);
    expect(dup.status).toBe(400);
    const cycle = await postBatch([
      { id: "a", method: "GET", url: "/users", dependsOn: ["b"] },
      { id: "b", method: "GET", url: "/groups", dependsOn: ["a"] },
    ]);
    expect(cycle.status).toBe(400);
    const body = (await dup.json()) as { error: { code: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe("BadRequest");
    expect(body.error.innerError["request-id"]).toBe(dup.headers.get("request-id"));
  });
});

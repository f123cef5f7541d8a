import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import type { RunningM365Simulator } from "../../../dev/m365";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { syncTimerHandler } from "../../../functions/lib/sync-timer";
import { syncRunHandler } from "../../../functions/sync-run";
import { ServiceBusWorkQueue } from "../../../shared/adapters/servicebus/service-bus-work-queue";
import { TableDeadLetterStore } from "../../../shared/adapters/tables/table-dead-letter-store";
import { queueSettings } from "../../../shared/app/ports/work-queue";
import { overrideServices, resetServices } from "../../../shared/composition";
import {
  requestSyncRun,
  runRequestedSync,
  type RequestSyncDependencies,
} from "../../../shared/app/sync/request-sync";
import { runSync } from "../../../shared/app/sync/run-sync";
import type { SyncDependencies } from "../../../shared/app/sync/sync-dependencies";
import { eventually } from "../../support/eventually";
import { startSim } from "../m365/helpers";
import { harness, type Harness } from "./harness";

/**
 * "Run now" through the real Service Bus SDK, the local broker and the `sync-run` consumer on the
 * local host: the request is recorded, queued, run once, and its end (success or failure) recorded.
 */
const conn = inject("tablesConnectionString");
let sim: RunningM365Simulator;
let bus: RunningServiceBus;
let workQueue: ServiceBusWorkQueue;
let host: RunningHost | undefined;

beforeAll(async () => {
  sim = await startSim();
  bus = await startServiceBus({
    queues: [{ name: "sync-run", maxDeliveryCount: 10, lockDurationMs: 30_000 }],
  });
  workQueue = new ServiceBusWorkQueue(new ServiceBusClient(bus.connectionString));
});
beforeEach(() => {
  sim.control.seed("demo");
  sim.control.faults.reset();
  sim.control.log.clear();
});
afterAll(async () => {
  await resetServices();
  await host?.stop();
  await workQueue.close();
  await bus.stop();
  await sim.stop();
});

function requestDeps(h: Harness): RequestSyncDependencies {
  return {
    integration: h.integration,
    state: h.state,
    workQueue,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** Real time for leases: the queue path runs outside the test's clock. */
function liveDeps(h: Harness): SyncDependencies {
  return { ...h.deps, now: () => new Date() };
}

/** Serves `deps` on the `sync-run` queue (one consumer host per test, replaced by the next). */
async function consumer(deps: SyncDependencies, h: Harness): Promise<void> {
  await host?.stop();
  const deadLetters = new TableDeadLetterStore(h.tables);
  await overrideServices({
    sync: () => Promise.resolve(deps),
    workQueue,
    deadLetters,
    now: () => new Date(),
  });
  host = await startHost({
    functions: [
      serviceBusFunction({
        name: "sync-run",
        queueName: "sync-run",
        handler: syncRunHandler({ policy: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 1_000 } }),
      }),
    ],
    port: 0,
    env: { SERVICEBUS: bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
}

const queued = (): number => {
  const c = bus.stats()["sync-run"];
  return (c?.active ?? 0) + (c?.locked ?? 0) + (c?.scheduled ?? 0);
};

describe("run now through the sync-run queue", () => {
  it("is recorded and queued once (a second request joins it), survives until a consumer runs it, then 200", async () => {
    const h = harness(sim, conn, "application");
    await host?.stop();
    host = undefined;
    // No consumer yet: the requests are accepted (202) and wait on the queue and in the sync state.
    const first = await requestSyncRun(requestDeps(h), "rooms", "admin-1", 0);
    expect(first).toMatchObject({ kind: "rooms", outcome: "requested", joined: false });
    const second = await requestSyncRun(requestDeps(h), "rooms", "admin-2", 0);
    const requestId = first.outcome === "requested" ? first.requestId : "";
    expect(second).toMatchObject({ outcome: "requested", requestId, joined: true });
    expect(await h.state.request("rooms")).toMatchObject({ requestId, requestedBy: "admin-1" });
    await eventually(async () => queued() === 1);

    await consumer(liveDeps(h), h);
    await eventually(async () => (await h.state.status("rooms"))?.state === "succeeded");
    const status = await h.state.status("rooms");
    expect(status).toMatchObject({ requestId, trigger: "admin" });
    expect(await h.state.request("rooms")).toBeUndefined();
    await eventually(async () => queued() === 0);
    // /places was read once: the joined request did not run again.
    expect(
      sim.control.log.entries({ kind: "graph", path: /\/places\/microsoft\.graph\.room\b/ }).length,
    ).toBe(1);

    // A redelivered message of a served request does nothing.
    sim.control.log.clear();
    expect(await runRequestedSync(liveDeps(h), { kind: "rooms", requestId })).toBe("served-already");
    expect(sim.control.log.entries({ kind: "graph" }).length).toBe(0);

    // With the consumer up, a request finishing within the wait is answered with its result. The
    // requester's clock stands still, so however slowly the run goes the wait does not run out.
    const frozen = new Date();
    const direct = await requestSyncRun({ ...requestDeps(h), now: () => frozen }, "rooms", "admin-1", 1_000);
    expect(direct).toMatchObject({ outcome: "succeeded", status: { state: "succeeded" } });
  });

  it("joins a run in progress instead of queueing another; refuses what the mode cannot do", async () => {
    const h = harness(sim, conn, "application");
    const now = new Date();
    await h.state.acquireLease("directory", "run-elsewhere", 60_000, now);
    // The previous test's last message is completed by the host just after its run is recorded.
    await eventually(() => queued() === 0, { explain: () => JSON.stringify(bus.stats()) });
    const joined = await requestSyncRun(requestDeps(h), "directory", "admin-1", 0);
    expect(joined).toEqual({ kind: "directory", outcome: "already-running", runId: "run-elsewhere" });
    expect(await h.state.request("directory")).toBeUndefined();
    expect(queued()).toBe(0);

    const m4 = harness(sim, conn, "application-resource-only");
    await expect(requestSyncRun(requestDeps(m4), "directory", "admin-1", 0)).rejects.toMatchObject({
      code: "not-available-in-mode",
      detail: expect.stringContaining("people are added at sign-in") as unknown,
    });
  });

  it("a failing run is recorded as the request's failure, never thrown; any rejection inside a run too", async () => {
    const h = harness(sim, conn, "application");
    const deps = liveDeps(h);
    await h.state.openRequest(
      { kind: "rooms", requestId: "req-fail", requestedAt: new Date().toISOString() },
      new Date(0),
    );
    sim.control.faults.configure({ errorRate: 1, errorStatus: 500 });
    expect(await runRequestedSync(deps, { kind: "rooms", requestId: "req-fail" })).toBe("failed");
    const failed = await h.state.status("rooms");
    expect(failed).toMatchObject({
      state: "failed",
      requestId: "req-fail",
      lastError: { code: "dependency-unavailable" },
    });
    expect(await h.state.request("rooms")).toBeUndefined();
    expect(await h.state.leaseHolder("rooms", new Date())).toBeUndefined();

    // A store that rejects once the run has started: recorded as the run's failure, lease released.
    sim.control.faults.reset();
    const flaky = {
      ...deps,
      state: Object.assign(Object.create(h.state) as typeof h.state, {
        takeRequest: () => Promise.reject(new Error("table storage went away")),
      }),
    };
    const result = await runSync(flaky, "rooms", "admin");
    expect(result).toMatchObject({ outcome: "failed", status: { lastError: { code: "internal" } } });
    expect(await h.state.leaseHolder("rooms", new Date())).toBeUndefined();
  });

  it("a request taken up by a run that crashed is run again once its lease expires; a live run makes it wait", async () => {
    const h = harness(sim, conn, "application");
    const deps = liveDeps(h);
    const t0 = new Date();
    await h.state.openRequest(
      { kind: "rooms", requestId: "req-crash", requestedAt: t0.toISOString() },
      new Date(0),
    );
    // A run took the request and the lease, then its instance died.
    await h.state.acquireLease("rooms", "dead-run", 60_000, t0);
    await h.state.takeRequest("rooms", "dead-run");
    // While the lease lasts, the redelivered message waits (retryable), it is not dropped.
    await expect(runRequestedSync(deps, { kind: "rooms", requestId: "req-crash" })).rejects.toMatchObject({
      code: "conflict",
      retryable: true,
    });
    expect(await h.state.request("rooms")).toMatchObject({ requestId: "req-crash", runId: "dead-run" });
    // After the lease expired, the next delivery runs it.
    const later = { ...deps, now: () => new Date(Date.now() + 120_000) };
    expect(await runRequestedSync(later, { kind: "rooms", requestId: "req-crash" })).toBe("succeeded");
    expect(await h.state.status("rooms")).toMatchObject({ state: "succeeded", requestId: "req-crash" });
    expect(await h.state.request("rooms")).toBeUndefined();
  });

  it("a timer run serves a pending request (the queue message then does nothing)", async () => {
    const h = harness(sim, conn, "application");
    await h.state.openRequest(
      { kind: "rooms", requestId: "req-timer", requestedAt: new Date().toISOString() },
      new Date(0),
    );
    const context = { log: () => undefined, warn: () => undefined } as never;
    await overrideServices({ sync: () => Promise.resolve(liveDeps(h)) });
    await syncTimerHandler("rooms")({} as never, context);
    expect(await h.state.status("rooms")).toMatchObject({
      state: "succeeded",
      trigger: "timer",
      requestId: "req-timer",
    });
    expect(await runRequestedSync(liveDeps(h), { kind: "rooms", requestId: "req-timer" })).toBe(
      "served-already",
    );
    expect(queueSettings["sync-run"].lockDurationSeconds).toBeGreaterThanOrEqual(60);
  });
});

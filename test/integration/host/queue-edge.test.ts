import { ServiceBusClient } from "@azure/service-bus";
import { eventually } from "../../support/eventually";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { handleQueue, type QueueDependencies } from "../../../functions/lib/queue";
import { type ServiceBusWorkQueue } from "../../../shared/adapters/servicebus/service-bus-work-queue";
import { TableDeadLetterStore } from "../../../shared/adapters/tables/table-dead-letter-store";
import { parseSettings } from "../../../shared/config";
import { AppError } from "../../../shared/domain/errors";
import { tableServiceFromSettings, workQueueFromSettings } from "../../../shared/composition/adapters";

/**
 * The queue edge end to end: the real broker, the local host, Azurite for the dead-letter store. A
 * transient failure comes back later as a scheduled retry; permanent and malformed work is kept with
 * its reason; nothing disappears.
 */
const job = z.object({ kind: z.enum(["ok", "flaky", "permanent", "always-failing"]), n: z.number().int() });
const attemptsSeen = new Map<string, number[]>();
const done = new Set<string>();

let bus: RunningServiceBus;
let host: RunningHost;
let dependencies: QueueDependencies & { workQueue: ServiceBusWorkQueue };

const consumer = serviceBusFunction({
  name: "scratch-jobs",
  queueName: "mail",
  handler: handleQueue(
    "mail",
    job,
    (body, work) => {
      attemptsSeen.set(work.messageId, [...(attemptsSeen.get(work.messageId) ?? []), work.attempt]);
      if (body.kind === "permanent")
        return Promise.reject(new AppError("validation-failed", "No such mailbox."));
      if (body.kind === "always-failing") return Promise.reject(new Error("socket hang up"));
      if (body.kind === "flaky" && work.attempt < 3) return Promise.reject(new Error("ECONNRESET"));
      done.add(work.messageId);
      return Promise.resolve();
    },
    { policy: { maxAttempts: 4, baseDelayMs: 40, maxDelayMs: 200 }, dependencies: () => dependencies },
  ),
});

beforeAll(async () => {
  bus = await startServiceBus({ queues: [{ name: "mail" }] });
  const settings = parseSettings({
    TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
    TABLE_PREFIX: `q${Date.now()}`,
    SERVICEBUS: bus.connectionString,
  });
  dependencies = {
    workQueue: workQueueFromSettings(settings),
    deadLetters: new TableDeadLetterStore(tableServiceFromSettings(settings)),
    now: () => new Date(),
  };
  host = await startHost({
    functions: [consumer],
    port: 0,
    env: { SERVICEBUS: bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
});

afterAll(async () => {
  await host.stop();
  await dependencies.workQueue.close();
  await bus.stop();
});

describe("queue edge", () => {
  it("retries transient failures with backoff, and keeps permanent and malformed work with its reason", async () => {
    const client = new ServiceBusClient(bus.connectionString);
    const sender = client.createSender("mail");
    await sender.sendMessages([
      { messageId: "ok-1", body: { kind: "ok", n: 1 } },
      { messageId: "flaky-1", body: { kind: "flaky", n: 2 } },
      { messageId: "permanent-1", body: { kind: "permanent", n: 3 } },
      { messageId: "failing-1", body: { kind: "always-failing", n: 4 } },
      { messageId: "garbled-1", body: { kind: "teleport", n: "five" } },
    ]);
    await sender.close();
    await client.close();

    const letters = async () => dependencies.deadLetters.list({ queue: "mail" });
    await eventually(async () => done.size === 2 && (await letters()).length === 3);

    expect([...done].sort()).toEqual(["flaky-1", "ok-1"]);
    expect(attemptsSeen.get("flaky-1")).toEqual([1, 2, 3]);
    expect(attemptsSeen.get("failing-1")).toEqual([1, 2, 3, 4]);
    expect(attemptsSeen.get("permanent-1")).toEqual([1]);
    expect(attemptsSeen.has("garbled-1")).toBe(false);

    const byId = Object.fromEntries((await letters()).map((l) => [l.messageId, l]));
    expect(byId["permanent-1"]).toMatchObject({
      reason: "validation-failed",
      description: "No such mailbox.",
      attempts: 1,
    });
    expect(byId["failing-1"]).toMatchObject({ reason: "retries-exhausted", attempts: 4 });
    expect(byId["garbled-1"]).toMatchObject({
      reason: "invalid-message",
      body: { kind: "teleport", n: "five" },
    });
    expect(byId["garbled-1"]?.description).toContain("kind");
    await eventually(() => bus.stats().mail?.active === 0 && bus.stats().mail?.locked === 0);
    expect(bus.stats().mail).toMatchObject({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
  });
});

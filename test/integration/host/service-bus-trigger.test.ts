import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { eventually } from "../../support/eventually";

/**
 * Service Bus-triggered functions on the local host, fed by the real SDK from the local broker: 1,000
 * messages, every 10th failing once, plus a poison message that always fails.
 */
const MESSAGES = 1_000;
const MAX_DELIVERY_COUNT = 5;

const successes = new Map<string, number>();
const failures = new Map<string, number>();
let poisonAttempts = 0;

const consumer = serviceBusFunction({
  name: "scratch-consumer",
  queueName: "work",
  handler: (body, context) => {
    const { n } = body as { n: number };
    const id = String(context.triggerMetadata?.messageId);
    if (n < 0) {
      poisonAttempts++;
      return Promise.reject(new Error("poison"));
    }
    if (n % 10 === 0 && !failures.has(id)) {
      failures.set(id, 1);
      return Promise.reject(new Error("transient"));
    }
    successes.set(id, (successes.get(id) ?? 0) + 1);
    return Promise.resolve();
  },
});

let bus: RunningServiceBus;
let host: RunningHost;
let client: ServiceBusClient;

beforeAll(async () => {
  bus = await startServiceBus({ queues: [{ name: "work", maxDeliveryCount: MAX_DELIVERY_COUNT }] });
  host = await startHost({
    functions: [consumer],
    port: 0,
    env: { SERVICEBUS: bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
  client = new ServiceBusClient(bus.connectionString);
});

afterAll(async () => {
  await client.close();
  await host.stop();
  await bus.stop();
});

describe("Service Bus triggers on the local host", () => {
  it(
    "completes every message exactly once, retries failures and dead-letters the poison message",
    { timeout: 90_000 },
    async () => {
      const sender = client.createSender("work");
      let batch = await sender.createMessageBatch();
      for (let n = 0; n < MESSAGES; n++) {
        const message = { messageId: `m-${n}`, body: { n }, contentType: "application/json" };
        if (!batch.tryAddMessage(message)) {
          await sender.sendMessages(batch);
          batch = await sender.createMessageBatch();
          expect(batch.tryAddMessage(message)).toBe(true);
        }
      }
      await sender.sendMessages(batch);
      await sender.sendMessages({ messageId: "poison", body: { n: -1 }, contentType: "application/json" });
      await sender.close();

      await eventually(() => successes.size === MESSAGES && bus.stats().work?.deadLettered === 1, {
        timeoutMs: 60_000,
        explain: () =>
          `missing ${[...Array(MESSAGES).keys()].filter((n) => !successes.has(`m-${n}`)).join(",")}; ` +
          `${successes.size} done, ${failures.size} failed once, poison ${poisonAttempts}, ${JSON.stringify(bus.stats())}`,
      });

      expect([...successes.values()].every((count) => count === 1)).toBe(true);
      expect(failures.size).toBe(MESSAGES / 10);
      expect(poisonAttempts).toBe(MAX_DELIVERY_COUNT);

      const deadLetters = client.createReceiver("work", {
        subQueueType: "deadLetter",
        receiveMode: "receiveAndDelete",
      });
      const [poison, ...others] = await deadLetters.receiveMessages(10, { maxWaitTimeInMs: 2_000 });
      await deadLetters.close();
      expect(others).toHaveLength(0);
      expect(poison?.messageId).toBe("poison");
      expect(poison?.deadLetterReason).toBe("MaxDeliveryCountExceeded");
      expect(bus.stats().work).toMatchObject({ active: 0, locked: 0, scheduled: 0 });
    },
  );
});

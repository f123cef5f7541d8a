import { afterEach, describe, expect, it } from "vitest";
import {
  ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusReceivedMessage,
  type ServiceBusSender,
} from "@azure/service-bus";
import { startServiceBus, type QueueOptions, type RunningServiceBus } from "../../dev/servicebus";
import { eventually } from "../support/eventually";

/**
 * Volume through one link: the local broker keeps serving a receiver (and accepting from a sender)
 * past the 2,048 deliveries that one AMQP session buffers, whatever the receiver does with them.
 * Driven only through the real @azure/service-bus SDK.
 */

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(queues: QueueOptions[]): Promise<{ bus: RunningServiceBus; client: ServiceBusClient }> {
  const bus = await startServiceBus({ queues });
  cleanups.push(() => bus.stop());
  const client = new ServiceBusClient(bus.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 10_000 },
  });
  cleanups.push(() => client.close());
  return { bus, client };
}

/** Comfortably more than rhea's session buffer of 2,048 deliveries. */
const TOTAL = 2_200;
/**
 * Messages of the mixed-outcome run: with its redeliveries (a tenth twice more, a tenth once more)
 * they make 1.3 × 1,700 = 2,210 deliveries on one link, again more than a session buffers.
 */
const MIXED = 1_700;

/** Sends `messages` in as few batches as fit, on one sender link. */
async function sendAll(sender: ServiceBusSender, messages: ServiceBusMessage[]): Promise<void> {
  let batch = await sender.createMessageBatch();
  for (const message of messages) {
    if (!batch.tryAddMessage(message)) {
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      if (!batch.tryAddMessage(message)) throw new Error("message too large for a batch");
    }
  }
  if (batch.count > 0) await sender.sendMessages(batch);
}

const numbered = (count: number, prefix: string): ServiceBusMessage[] =>
  Array.from({ length: count }, (_, i) => ({ body: i, messageId: `${prefix}-${i}` }));

/** 0..count-1, the expected set of bodies. */
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

describe("local Service Bus broker under volume", () => {
  it("keeps one peekLock receiveMessages() receiver going past one session's buffer, each lock renewed and each message completed once", async () => {
    const { bus, client } = await setup([{ name: "volume" }]);
    await sendAll(client.createSender("volume"), numbered(TOTAL, "v"));
    expect(bus.stats().volume?.active).toBe(TOTAL);

    const receiver = client.createReceiver("volume");
    const seen: number[] = [];
    // Bounded: each round either receives or waits at most a second; a stall fails the loop.
    for (let round = 0; round < 200 && seen.length < TOTAL; round++) {
      const batch = await receiver.receiveMessages(Math.min(250, TOTAL - seen.length), {
        maxWaitTimeInMs: 1_000,
      });
      if (batch.length === 0) break;
      // Each renewal is a $management request answered on one reply link: more than a session buffers.
      await Promise.all(batch.map((message) => receiver.renewMessageLock(message)));
      // Completed together: rhea sends same-outcome dispositions as ranges, which the broker settles one by one.
      await Promise.all(batch.map((message) => receiver.completeMessage(message)));
      seen.push(...batch.map((message) => message.body as number));
    }

    expect(seen).toEqual(range(TOTAL));
    expect(bus.stats().volume).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
    expect(bus.managementOperations()["com.microsoft:renew-lock"]).toBe(TOTAL);
    // Every settlement went over the receiving link, none through $management.
    expect(bus.managementOperations()["com.microsoft:update-disposition"]).toBeUndefined();
  });

  it("serves one long-lived subscriber through two phases of completes, abandons, redeliveries and dead-letters", async () => {
    const { bus, client } = await setup([{ name: "mixed", maxDeliveryCount: 3 }]);
    const receiver = client.createReceiver("mixed");
    /** Delivery counts seen per message body, in order. */
    const attempts = new Map<number, number[]>();
    const completed: number[] = [];
    const subscription = receiver.subscribe(
      {
        processMessage: async (message: ServiceBusReceivedMessage) => {
          const body = message.body as number;
          attempts.set(body, [...(attempts.get(body) ?? []), message.deliveryCount ?? -1]);
          const kind = body % 10;
          // Always fails: abandoned (the SDK abandons on a throw) until maxDeliveryCount dead-letters it.
          if (kind === 3) throw new Error("always failing");
          // Fails once, then completes on redelivery.
          if (kind === 5 && message.deliveryCount === 0) throw new Error("failing once");
          if (kind === 7) {
            await receiver.deadLetterMessage(message, {
              deadLetterReason: "Poison",
              deadLetterErrorDescription: `body ${body}`,
            });
            return;
          }
          completed.push(body);
        },
        processError: () => Promise.resolve(),
      },
      // One at a time, as the booking consumer: concurrent mixed outcomes hit the SDK's disposition
      // merging (see dev/servicebus/index.ts).
      { maxConcurrentCalls: 1 },
    );
    const messages = numbered(MIXED, "m");
    const half = MIXED / 2;
    const sender = client.createSender("mixed");
    const settledAll = (count: number) => (): boolean => {
      const stats = bus.stats().mixed;
      return stats?.active === 0 && stats.locked === 0 && completed.length + stats.deadLettered === count;
    };
    const explain = (): string => `completed ${completed.length}, stats ${JSON.stringify(bus.stats().mixed)}`;
    await sendAll(sender, messages.slice(0, half));
    await eventually(settledAll(half), { timeoutMs: 25_000, explain });
    await sendAll(sender, messages.slice(half));
    await eventually(settledAll(MIXED), { timeoutMs: 25_000, explain });
    await subscription.close();

    const expectedAttempts = (body: number): number[] =>
      body % 10 === 3 ? [0, 1, 2] : body % 10 === 5 ? [0, 1] : [0];
    expect([...attempts.keys()].sort((a, b) => a - b)).toEqual(range(MIXED));
    for (const [body, counts] of attempts) expect(counts, `body ${body}`).toEqual(expectedAttempts(body));
    expect(completed).toEqual(range(MIXED).filter((body) => body % 10 !== 3 && body % 10 !== 7));
    const deliveries = [...attempts.values()].reduce((sum, counts) => sum + counts.length, 0);
    expect(deliveries).toBe(MIXED + (MIXED / 10) * 3);
    expect(bus.stats().mixed).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: MIXED / 5 });

    // The dead-letter queue holds each failing message once, with why it is there.
    const dlq = client.createReceiver("mixed", {
      subQueueType: "deadLetter",
      receiveMode: "receiveAndDelete",
    });
    const dead = new Map<number, [string | undefined, string | undefined]>();
    for (let round = 0; round < 50 && dead.size < MIXED / 5; round++) {
      const batch = await dlq.receiveMessages(Math.min(100, MIXED / 5 - dead.size), {
        maxWaitTimeInMs: 1_000,
      });
      if (batch.length === 0) break;
      for (const message of batch) {
        dead.set(message.body as number, [message.deadLetterReason, message.deadLetterErrorDescription]);
      }
    }
    expect([...dead.keys()].sort((a, b) => a - b)).toEqual(
      range(MIXED).filter((body) => body % 10 === 3 || body % 10 === 7),
    );
    for (const [body, why] of dead) {
      expect(why, `body ${body}`).toEqual(
        body % 10 === 3
          ? ["MaxDeliveryCountExceeded", "Message could not be consumed after 3 delivery attempts."]
          : ["Poison", `body ${body}`],
      );
    }
  }, 60_000);

  it("takes single sends from one long-lived sender and hands each to a receiveAndDelete subscriber once", async () => {
    const { bus, client } = await setup([{ name: "stream" }]);
    const sender = client.createSender("stream");
    // One delivery per message on one sender link, a few in flight at a time.
    const inFlight = 20;
    for (let start = 0; start < TOTAL; start += inFlight) {
      await Promise.all(
        range(Math.min(inFlight, TOTAL - start)).map((i) =>
          sender.sendMessages({ body: start + i, messageId: `s-${start + i}` }),
        ),
      );
    }
    expect(bus.stats().stream?.active).toBe(TOTAL);

    const receiver = client.createReceiver("stream", { receiveMode: "receiveAndDelete" });
    const seen: number[] = [];
    const subscription = receiver.subscribe(
      {
        processMessage: (message) => {
          seen.push(message.body as number);
          return Promise.resolve();
        },
        processError: () => Promise.resolve(),
      },
      { maxConcurrentCalls: 10 },
    );
    await eventually(() => seen.length >= TOTAL && bus.stats().stream?.active === 0, {
      timeoutMs: 20_000,
      explain: () => `seen ${seen.length}, stats ${JSON.stringify(bus.stats().stream)}`,
    });
    await subscription.close();

    expect([...seen].sort((a, b) => a - b)).toEqual(range(TOTAL));
    expect(bus.stats().stream).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
  });
});

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
const TOTAL = 2_500;

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
  it("delivers more messages than one session buffers to one peekLock subscriber, each completed once", async () => {
    const { bus, client } = await setup([{ name: "volume" }]);
    await sendAll(client.createSender("volume"), numbered(TOTAL, "v"));
    expect(bus.stats().volume?.active).toBe(TOTAL);

    const receiver = client.createReceiver("volume");
    const seen: number[] = [];
    const subscription = receiver.subscribe(
      {
        processMessage: (message) => {
          seen.push(message.body as number);
          return Promise.resolve();
        },
        processError: () => Promise.resolve(),
      },
      { maxConcurrentCalls: 1 },
    );
    await eventually(() => bus.stats().volume?.active === 0 && bus.stats().volume?.locked === 0, {
      timeoutMs: 20_000,
      explain: () => `seen ${seen.length}, stats ${JSON.stringify(bus.stats().volume)}`,
    });
    await subscription.close();

    expect(seen).toEqual(range(TOTAL));
    expect(bus.stats().volume).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
    expect(bus.managementOperations()["com.microsoft:update-disposition"]).toBeUndefined();
  });
});

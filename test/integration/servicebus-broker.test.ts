import { createConnection } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  ServiceBusClient,
  isServiceBusError,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from "@azure/service-bus";
import { startServiceBus, type QueueOptions, type RunningServiceBus } from "../../dev/servicebus";
import { eventually } from "../support/eventually";

/**
 * The local Service Bus broker (dev/servicebus) driven only through the real @azure/service-bus SDK.
 * Every test starts its own broker on a free port and owns its queues.
 */

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  // Clients first, then brokers (registered in that order, run in reverse).
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(
  queues: QueueOptions[],
  now?: () => number,
): Promise<{ bus: RunningServiceBus; client: ServiceBusClient }> {
  const bus = await startServiceBus({ queues, ...(now === undefined ? {} : { now }) });
  cleanups.push(() => bus.stop());
  const client = new ServiceBusClient(bus.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
  });
  cleanups.push(() => client.close());
  return { bus, client };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Receives until `count` messages arrived or `timeoutMs` passed. */
async function receive(
  receiver: ServiceBusReceiver,
  count: number,
  timeoutMs = 2_000,
): Promise<ServiceBusReceivedMessage[]> {
  const result: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (result.length < count && Date.now() < deadline) {
    const batch = await receiver.receiveMessages(count - result.length, {
      maxWaitTimeInMs: Math.max(50, deadline - Date.now()),
    });
    result.push(...batch);
  }
  return result;
}

/** Sends "complete", "abandon" and "dead" to `jobs`, then receives them on a new receiver. */
async function sendAndReceiveThree(client: ServiceBusClient): Promise<{
  receiver: ServiceBusReceiver;
  messages: [ServiceBusReceivedMessage, ServiceBusReceivedMessage, ServiceBusReceivedMessage];
}> {
  await client
    .createSender("jobs")
    .sendMessages([{ body: "complete" }, { body: "abandon" }, { body: "dead" }]);
  const receiver = client.createReceiver("jobs");
  const [complete, abandon, dead] = await receive(receiver, 3);
  if (complete === undefined || abandon === undefined || dead === undefined)
    throw new Error("expected 3 messages");
  return { receiver, messages: [complete, abandon, dead] };
}

/** Message bodies are typed `any` by the SDK; read them as unknown. */
const bodies = (messages: ServiceBusReceivedMessage[]): unknown[] => messages.map((m): unknown => m.body);

/**
 * The broker's clock, moved by the test: lock expiry and scheduled enqueue happen when the test says,
 * however slowly a busy machine runs. Starts at the wall clock so times the SDK sees look real.
 */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let current = Date.now();
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

async function expectServiceBusError(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isServiceBusError(error) ? error.code : String(error), `expected ServiceBusError ${code}`).toBe(
    code,
  );
}

describe("local Service Bus broker with the real SDK", () => {
  it("round-trips single, array and batch sends with their properties", async () => {
    const clock = manualClock();
    const { bus, client } = await setup([{ name: "jobs", lockDurationMs: 5_000 }], clock.now);
    const sender = client.createSender("jobs");
    const sentAt = clock.now();

    await sender.sendMessages({
      body: { roomId: "r-1", attendees: [1, 2] },
      messageId: "msg-json",
      subject: "booking.created",
      correlationId: "corr-1",
      contentType: "application/json",
      applicationProperties: { tenant: "t-1", attempt: 3, urgent: true },
    });
    await sender.sendMessages([
      { body: "plain text", messageId: "msg-text" },
      { body: Buffer.from([0, 1, 254, 255]) },
    ]);
    const batch = await sender.createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(256 * 1024);
    expect(batch.tryAddMessage({ body: "batched-1", messageId: "msg-b1" })).toBe(true);
    expect(
      batch.tryAddMessage({ body: { n: 2 }, messageId: "msg-b2", applicationProperties: { k: "v" } }),
    ).toBe(true);
    await sender.sendMessages(batch);

    expect(bus.stats().jobs).toEqual({ active: 5, locked: 0, scheduled: 0, deadLettered: 0 });

    const receiver = client.createReceiver("jobs");
    const messages = await receive(receiver, 5);
    expect(messages).toHaveLength(5);
    expect(bus.stats().jobs).toEqual({ active: 0, locked: 5, scheduled: 0, deadLettered: 0 });

    const [json, text, bytes, b1, b2] = messages;
    expect(json?.body).toEqual({ roomId: "r-1", attendees: [1, 2] });
    expect(json?.messageId).toBe("msg-json");
    expect(json?.subject).toBe("booking.created");
    expect(json?.correlationId).toBe("corr-1");
    expect(json?.contentType).toBe("application/json");
    expect(json?.applicationProperties).toEqual({ tenant: "t-1", attempt: 3, urgent: true });
    expect(text?.body).toBe("plain text");
    expect(text?.messageId).toBe("msg-text");
    const raw: unknown = bytes?.body;
    expect(Buffer.isBuffer(raw) ? [...raw] : raw).toEqual([0, 1, 254, 255]);
    // A message sent without an id gets one from the broker, as Service Bus does.
    expect(typeof bytes?.messageId).toBe("string");
    expect(b1?.body).toBe("batched-1");
    expect(b2?.body).toEqual({ n: 2 });
    expect(b2?.applicationProperties).toEqual({ k: "v" });

    const sequenceNumbers = messages.map((m) => m.sequenceNumber?.toNumber());
    expect(sequenceNumbers).toEqual([1, 2, 3, 4, 5]);
    for (const m of messages) {
      expect(m.deliveryCount).toBe(0);
      expect(m.lockToken).toMatch(GUID);
      expect(m.enqueuedTimeUtc?.getTime()).toBe(sentAt);
      expect(m.lockedUntilUtc?.getTime()).toBe(sentAt + 5_000);
    }
    expect(new Set(messages.map((m) => m.lockToken)).size).toBe(5);
    for (const m of messages) await receiver.completeMessage(m);
    expect(bus.stats().jobs).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
  });

  it("settles receiveMessages() results through link dispositions while the receiver is open", async () => {
    const { bus, client } = await setup([{ name: "jobs" }]);
    const { receiver, messages } = await sendAndReceiveThree(client);
    const [complete, abandon, dead] = messages;

    await receiver.completeMessage(complete);
    await receiver.abandonMessage(abandon, { retriedBy: "test" });
    await receiver.deadLetterMessage(dead, {
      deadLetterReason: "ValidationFailed",
      deadLetterErrorDescription: "room id missing",
    });
    expect(bus.managementOperations()["com.microsoft:update-disposition"]).toBeUndefined();
    expect(bus.stats().jobs).toEqual({ active: 1, locked: 0, scheduled: 0, deadLettered: 1 });

    const [again] = await receive(receiver, 1);
    expect(again?.body).toBe("abandon");
    expect(again?.deliveryCount).toBe(1);
    expect(again?.applicationProperties).toEqual({ retriedBy: "test" });
    // The SDK itself refuses to settle a delivery the broker already settled.
    await expect(receiver.completeMessage(abandon)).rejects.toThrow(/already settled/);

    const dlq = client.createReceiver("jobs", { subQueueType: "deadLetter" });
    const [dlqMessage] = await receive(dlq, 1);
    expect(dlqMessage?.body).toBe("dead");
    expect(dlqMessage?.deadLetterReason).toBe("ValidationFailed");
    expect(dlqMessage?.deadLetterErrorDescription).toBe("room id missing");
    await dlq.completeMessage(dlqMessage as ServiceBusReceivedMessage);
    expect(bus.stats().jobs?.deadLettered).toBe(0);
  });

  it("settles through $management update-disposition when the receiving link is gone", async () => {
    const { bus, client } = await setup([{ name: "jobs" }]);
    const { receiver: first, messages } = await sendAndReceiveThree(client);
    const [complete, abandon, dead] = messages;
    await first.close();

    // The lock tokens outlive the link; another receiver settles them through `jobs/$management`.
    const second = client.createReceiver("jobs");
    await second.completeMessage(complete);
    await second.abandonMessage(abandon);
    await second.deadLetterMessage(dead, {
      deadLetterReason: "Poison",
      deadLetterErrorDescription: "cannot parse",
    });
    expect(bus.managementOperations()["com.microsoft:update-disposition"]).toBe(3);
    expect(bus.stats().jobs).toEqual({ active: 1, locked: 0, scheduled: 0, deadLettered: 1 });

    const [again] = await receive(second, 1);
    expect(again?.body).toBe("abandon");
    expect(again?.deliveryCount).toBe(1);

    const [dlqMessage] = await receive(client.createReceiver("jobs", { subQueueType: "deadLetter" }), 1);
    expect(dlqMessage?.deadLetterReason).toBe("Poison");
    expect(dlqMessage?.deadLetterErrorDescription).toBe("cannot parse");

    // A lock token the broker does not know is reported as a lost lock.
    await expectServiceBusError(second.completeMessage(complete), "MessageLockLost");
  });

  it("delivers to subscribe() with credit flow and settles with link dispositions", async () => {
    const { bus, client } = await setup([{ name: "jobs" }]);
    await client
      .createSender("jobs")
      .sendMessages([{ body: "ok-1" }, { body: "fail-once" }, { body: "poison" }, { body: "ok-2" }]);
    const receiver = client.createReceiver("jobs");
    const seen: string[] = [];
    const errors: unknown[] = [];
    let completed = 0;
    const subscription = receiver.subscribe(
      {
        processMessage: async (message) => {
          seen.push(`${String(message.body)}#${message.deliveryCount ?? -1}`);
          if (message.body === "fail-once" && message.deliveryCount === 0) throw new Error("transient");
          if (message.body === "poison") {
            await receiver.deadLetterMessage(message, {
              deadLetterReason: "Poison",
              deadLetterErrorDescription: "bad",
            });
            return;
          }
          completed++;
        },
        processError: (args) => {
          errors.push(args.error);
          return Promise.resolve();
        },
      },
      // One at a time: rhea 3.0.5 (the SDK's AMQP library) can merge two dispositions flushed in
      // the same tick into one range with the first one's outcome, turning an abandon into a
      // complete on the client side (see dev/servicebus/index.ts).
      { maxConcurrentCalls: 1 },
    );
    await eventually(() => completed === 3);
    await subscription.close();
    await eventually(() => bus.stats().jobs?.locked === 0);

    expect(seen.sort()).toEqual(["fail-once#0", "fail-once#1", "ok-1#0", "ok-2#0", "poison#0"]);
    // The thrown error is reported once, then the SDK abandons the message (link `modified`).
    expect(errors).toHaveLength(1);
    expect(bus.stats().jobs).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 1 });
    expect(bus.managementOperations()["com.microsoft:update-disposition"]).toBeUndefined();
  });

  it("dead-letters with MaxDeliveryCountExceeded once abandons reach maxDeliveryCount", async () => {
    const { bus, client } = await setup([{ name: "retries", maxDeliveryCount: 3 }]);
    await client.createSender("retries").sendMessages({ body: "never works", messageId: "m-1" });
    const receiver = client.createReceiver("retries");

    const counts: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const [message] = await receive(receiver, 1);
      if (message === undefined) throw new Error(`attempt ${attempt}: no message`);
      counts.push(message.deliveryCount ?? -1);
      await receiver.abandonMessage(message);
    }
    // The JS SDK shows the AMQP header delivery-count: failed attempts before this one.
    expect(counts).toEqual([0, 1, 2]);
    expect(bus.stats().retries).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 1 });
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toHaveLength(0);

    const dlq = client.createReceiver("retries", { subQueueType: "deadLetter" });
    const peeked = await dlq.peekMessages(5);
    expect(peeked.map((m) => m.messageId)).toEqual(["m-1"]);
    const [dead] = await receive(dlq, 1);
    expect(dead?.messageId).toBe("m-1");
    expect(dead?.body).toBe("never works");
    expect(dead?.deadLetterReason).toBe("MaxDeliveryCountExceeded");
    expect(dead?.deadLetterErrorDescription).toBe("Message could not be consumed after 3 delivery attempts.");
    expect(dead?.deliveryCount).toBe(3);
    // Abandoning in the DLQ never dead-letters again: the message stays available there.
    await dlq.abandonMessage(dead as ServiceBusReceivedMessage);
    expect(bus.stats().retries?.deadLettered).toBe(1);
  });

  it("makes a message available again when its lock expires, and dead-letters after the last expiry", async () => {
    const clock = manualClock();
    const lock = 30_000;
    const { bus, client } = await setup(
      [{ name: "slow", lockDurationMs: lock, maxDeliveryCount: 2 }],
      clock.now,
    );
    await client.createSender("slow").sendMessages({ body: "work", messageId: "w-1" });
    // No automatic renewal: the lock must run out when the clock says so.
    const receiver = client.createReceiver("slow", { maxAutoLockRenewalDurationInMs: 0 });

    const [first] = await receive(receiver, 1);
    expect(first?.deliveryCount).toBe(0);
    expect(first?.lockedUntilUtc?.getTime()).toBe(clock.now() + lock);
    clock.advance(lock - 1);
    bus.tick();
    expect(bus.stats().slow).toEqual({ active: 0, locked: 1, scheduled: 0, deadLettered: 0 });
    clock.advance(1);
    bus.tick();
    expect(bus.stats().slow).toEqual({ active: 1, locked: 0, scheduled: 0, deadLettered: 0 });

    const [second] = await receive(receiver, 1);
    expect(second?.messageId).toBe("w-1");
    expect(second?.deliveryCount).toBe(1);
    expect(second?.lockToken).not.toBe(first?.lockToken);
    // The first lock is gone for good.
    await expectServiceBusError(
      receiver.completeMessage(first as ServiceBusReceivedMessage),
      "MessageLockLost",
    );

    // Second expiry reaches maxDeliveryCount (2): dead-lettered by the broker.
    clock.advance(lock);
    bus.tick();
    expect(bus.stats().slow).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 1 });
    const [dead] = await receive(client.createReceiver("slow", { subQueueType: "deadLetter" }), 1);
    expect(dead?.deadLetterReason).toBe("MaxDeliveryCountExceeded");
  });

  it("renews a lock through $management", async () => {
    const clock = manualClock();
    const lock = 30_000;
    const { bus, client } = await setup([{ name: "slow", lockDurationMs: lock }], clock.now);
    await client.createSender("slow").sendMessages({ body: "long job" });
    const receiver = client.createReceiver("slow", { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receive(receiver, 1);
    if (message === undefined) throw new Error("no message");
    const firstLockedUntil = message.lockedUntilUtc?.getTime() ?? 0;
    expect(firstLockedUntil).toBe(clock.now() + lock);

    clock.advance(20_000);
    const renewed = await receiver.renewMessageLock(message);
    expect(renewed.getTime()).toBe(firstLockedUntil + 20_000);
    expect(message.lockedUntilUtc?.getTime()).toBe(renewed.getTime());
    expect(bus.managementOperations()["com.microsoft:renew-lock"]).toBe(1);
    clock.advance(20_000); // past the original lock, within the renewed one
    bus.tick();
    expect(bus.stats().slow?.locked).toBe(1);
    await receiver.completeMessage(message);
    expect(bus.stats().slow).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
  });

  it("peeks without locking, including locked and scheduled messages", async () => {
    const { bus, client } = await setup([{ name: "jobs" }]);
    const sender = client.createSender("jobs");
    await sender.sendMessages([{ body: "a" }, { body: "b" }, { body: "c" }]);
    await sender.scheduleMessages({ body: "later" }, new Date(Date.now() + 60_000));

    const receiver = client.createReceiver("jobs");
    const [locked] = await receive(receiver, 1);
    expect(locked?.body).toBe("a");

    const peeker = client.createReceiver("jobs");
    const firstPage = await peeker.peekMessages(2);
    expect(bodies(firstPage)).toEqual(["a", "b"]);
    expect(firstPage.every((m) => m.lockToken === undefined)).toBe(true);
    // Peeking continues where it left off.
    const secondPage = await peeker.peekMessages(10);
    expect(secondPage.map((m): unknown[] => [m.body as unknown, m.state])).toEqual([
      ["c", "active"],
      ["later", "scheduled"],
    ]);
    expect(await peeker.peekMessages(10)).toEqual([]);
    const fromStart = await peeker.peekMessages(10, { fromSequenceNumber: firstPage[1]?.sequenceNumber });
    expect(fromStart.map((m) => m.sequenceNumber?.toNumber())).toEqual([2, 3, 4]);
    expect(bus.stats().jobs).toEqual({ active: 2, locked: 1, scheduled: 1, deadLettered: 0 });
    // Peeking is not a delivery.
    const [b] = await receive(receiver, 1);
    expect(b?.body).toBe("b");
    expect(b?.deliveryCount).toBe(0);
  });

  it("enqueues scheduled messages at their time and cancels them on request", async () => {
    const clock = manualClock();
    const { bus, client } = await setup([{ name: "timers" }], clock.now);
    const sender = client.createSender("timers");
    const dueAt = clock.now() + 60_000;
    const [kept] = await sender.scheduleMessages({ body: "kept" }, new Date(dueAt));
    const [cancelled] = await sender.scheduleMessages({ body: "cancelled" }, new Date(dueAt));
    // A message sent with scheduledEnqueueTimeUtc is scheduled the same way.
    await sender.sendMessages({ body: "via send", scheduledEnqueueTimeUtc: new Date(dueAt) });
    expect(bus.stats().timers).toEqual({ active: 0, locked: 0, scheduled: 3, deadLettered: 0 });
    expect(kept?.toNumber()).toBe(1);
    expect(cancelled?.toNumber()).toBe(2);

    await sender.cancelScheduledMessages(cancelled as NonNullable<typeof cancelled>);
    expect(bus.stats().timers?.scheduled).toBe(2);

    const receiver = client.createReceiver("timers");
    clock.advance(60_000 - 1);
    bus.tick();
    expect(bus.stats().timers).toEqual({ active: 0, locked: 0, scheduled: 2, deadLettered: 0 });
    clock.advance(1);
    bus.tick();
    expect(bus.stats().timers).toEqual({ active: 2, locked: 0, scheduled: 0, deadLettered: 0 });
    const received = await receive(receiver, 2);
    expect(bodies(received).map(String).sort()).toEqual(["kept", "via send"]);
    for (const m of received) {
      expect(m.enqueuedTimeUtc?.getTime()).toBe(dueAt);
      expect(m.scheduledEnqueueTimeUtc?.getTime()).toBe(dueAt);
    }
    expect(bus.stats().timers).toEqual({ active: 0, locked: 2, scheduled: 0, deadLettered: 0 });
    expect(bus.managementOperations()["com.microsoft:cancel-scheduled-message"]).toBe(1);
  });

  it("defers a message and receives it back by sequence number", async () => {
    const { bus, client } = await setup([{ name: "jobs" }]);
    await client.createSender("jobs").sendMessages({ body: "later please" });
    const receiver = client.createReceiver("jobs");
    const [message] = await receive(receiver, 1);
    if (message?.sequenceNumber === undefined) throw new Error("no message");
    await receiver.deferMessage(message);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toHaveLength(0);

    const [deferred] = await receiver.receiveDeferredMessages(message.sequenceNumber);
    expect(deferred?.body).toBe("later please");
    expect(deferred?.lockToken).toMatch(GUID);
    await receiver.completeMessage(deferred as ServiceBusReceivedMessage);
    expect(bus.managementOperations()["com.microsoft:receive-by-sequence-number"]).toBe(1);
    expect(bus.managementOperations()["com.microsoft:update-disposition"]).toBe(1);
    await expectServiceBusError(receiver.receiveDeferredMessages(message.sequenceNumber), "MessageNotFound");
  });

  it("removes messages as it delivers them in receiveAndDelete mode", async () => {
    const { bus, client } = await setup([{ name: "jobs" }]);
    await client.createSender("jobs").sendMessages([{ body: 1 }, { body: 2 }, { body: 3 }]);
    const receiver = client.createReceiver("jobs", { receiveMode: "receiveAndDelete" });
    const messages = await receive(receiver, 3);
    expect(bodies(messages)).toEqual([1, 2, 3]);
    expect(messages.every((m) => m.lockToken === undefined)).toBe(true);
    expect(bus.stats().jobs).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toHaveLength(0);
  });

  it("rejects unknown queues with MessagingEntityNotFound and serves queues created at run time", async () => {
    const { bus, client } = await setup([{ name: "jobs" }]);
    await expectServiceBusError(
      client.createSender("nope").sendMessages({ body: 1 }),
      "MessagingEntityNotFound",
    );
    await expectServiceBusError(
      client.createReceiver("nope").receiveMessages(1, { maxWaitTimeInMs: 500 }),
      "MessagingEntityNotFound",
    );
    expect(() => bus.createQueue({ name: "jobs" })).toThrow(/already exists/);

    bus.createQueue({ name: "late-queue", maxDeliveryCount: 1 });
    await client.createSender("late-queue").sendMessages({ body: "hello" });
    const receiver = client.createReceiver("late-queue");
    const [message] = await receive(receiver, 1);
    expect(message?.body).toBe("hello");
    await receiver.abandonMessage(message as ServiceBusReceivedMessage);
    expect(bus.stats()["late-queue"]).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 1 });
  });

  it("carries 1,000 batched messages, each received exactly once", async () => {
    const { bus, client } = await setup([{ name: "bulk" }]);
    const sender = client.createSender("bulk");
    const total = 1_000;
    let batch = await sender.createMessageBatch();
    let batches = 0;
    for (let i = 0; i < total; i++) {
      const message = { body: { i, pad: "x".repeat(200) }, messageId: `bulk-${i}` };
      if (!batch.tryAddMessage(message)) {
        await sender.sendMessages(batch);
        batches++;
        batch = await sender.createMessageBatch();
        expect(batch.tryAddMessage(message)).toBe(true);
      }
    }
    await sender.sendMessages(batch);
    batches++;
    expect(batches).toBeGreaterThan(1);
    expect(bus.stats().bulk?.active).toBe(total);

    const receiver = client.createReceiver("bulk");
    const ids: string[] = [];
    const subscription = receiver.subscribe(
      {
        processMessage: (message) => {
          ids.push(String(message.messageId));
          return Promise.resolve();
        },
        processError: () => Promise.resolve(),
      },
      { maxConcurrentCalls: 50 },
    );
    await eventually(() => ids.length >= total, { timeoutMs: 10_000, intervalMs: 20 });
    await subscription.close();
    await eventually(() => bus.stats().bulk?.locked === 0);

    expect(new Set(ids).size).toBe(total);
    expect(ids).toHaveLength(total);
    expect(bus.stats().bulk).toEqual({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 });
  });

  it("stop() closes client connections and the listener", async () => {
    const bus = await startServiceBus({ queues: [{ name: "jobs" }] });
    const client = new ServiceBusClient(bus.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 2_000 },
    });
    await client.createSender("jobs").sendMessages({ body: 1 });
    await bus.stop();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port: bus.port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
    await client.close();
  });
});

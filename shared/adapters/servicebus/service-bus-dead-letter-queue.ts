import {
  isServiceBusError,
  type ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from "@azure/service-bus";
// The SDK's own 64-bit integer type (a dependency of @azure/service-bus): sequence numbers are Longs.
import Long from "long";
import type { BrokerDeadLetter, BrokerDeadLetterQueue } from "../../app/ports/broker-dead-letters";
import type { QueueName } from "../../app/ports/work-queue";
import { AppError, isAppError } from "../../domain/errors";

/** How many dead-lettered messages `take` locks at most while looking for the one asked for. */
const MAX_SCAN = 500;
const RECEIVE_BATCH = 50;
const RECEIVE_WAIT_MS = 2_000;
const MAX_TEXT = 500;

/**
 * The dead-letter sub-queues (`<queue>/$DeadLetterQueue`) on Service Bus or the local broker. Reads
 * by peeking (no lock, no delivery count). Takes a message out in peek-lock: Service Bus receives a
 * dead-lettered message by sequence number only if it was deferred, so `take` receives from the head,
 * keeps the locks of the others it passes (bounded) and abandons them once done.
 */
export class ServiceBusDeadLetterQueue implements BrokerDeadLetterQueue {
  constructor(private readonly client: ServiceBusClient) {}

  async peek(queue: QueueName, fromSequenceNumber: bigint, max: number): Promise<BrokerDeadLetter[]> {
    const receiver = this.receiver(queue);
    try {
      const messages = await receiver.peekMessages(max, { fromSequenceNumber: toLong(fromSequenceNumber) });
      return messages.map((m) => toLetter(queue, m));
    } catch (error) {
      if (isServiceBusError(error) && error.code === "MessagingEntityNotFound") return [];
      throw unavailable(error);
    } finally {
      await receiver.close().catch(() => undefined);
    }
  }

  async take(
    queue: QueueName,
    sequenceNumber: bigint,
    handle: (letter: BrokerDeadLetter) => Promise<void>,
  ): Promise<"taken" | "not-found" | "busy"> {
    const receiver = this.receiver(queue);
    const passed: ServiceBusReceivedMessage[] = [];
    try {
      const [first] = await receiver.peekMessages(1, { fromSequenceNumber: toLong(sequenceNumber) });
      if (first === undefined || sequenceOf(first) !== sequenceNumber) return "not-found";
      let match: ServiceBusReceivedMessage | undefined;
      while (match === undefined && passed.length < MAX_SCAN) {
        const batch = await receiver.receiveMessages(Math.min(RECEIVE_BATCH, MAX_SCAN - passed.length), {
          maxWaitTimeInMs: RECEIVE_WAIT_MS,
        });
        if (batch.length === 0) break;
        for (const message of batch) {
          if (match === undefined && sequenceOf(message) === sequenceNumber) match = message;
          else passed.push(message);
        }
      }
      // Peeked but not received: another receiver holds it (a replay in progress) or it is out of reach.
      if (match === undefined) return "busy";
      try {
        await handle(toLetter(queue, match));
      } catch (error) {
        await receiver.abandonMessage(match).catch(() => undefined);
        throw error;
      }
      await receiver.completeMessage(match);
      return "taken";
    } catch (error) {
      if (isAppError(error)) throw error;
      if (isServiceBusError(error) && error.code === "MessagingEntityNotFound") return "not-found";
      throw unavailable(error);
    } finally {
      // One settlement at a time: rhea may merge same-tick dispositions of consecutive deliveries.
      for (const message of passed) await receiver.abandonMessage(message).catch(() => undefined);
      await receiver.close().catch(() => undefined);
    }
  }

  private receiver(queue: QueueName): ServiceBusReceiver {
    return this.client.createReceiver(queue, { subQueueType: "deadLetter", receiveMode: "peekLock" });
  }
}

function toLong(value: bigint): Long {
  return Long.fromString(value.toString());
}

function sequenceOf(message: ServiceBusReceivedMessage): bigint | undefined {
  return message.sequenceNumber === undefined ? undefined : BigInt(message.sequenceNumber.toString());
}

function toLetter(queue: QueueName, message: ServiceBusReceivedMessage): BrokerDeadLetter {
  const text = (value: unknown): string => (typeof value === "string" ? value.slice(0, MAX_TEXT) : "");
  return {
    queue,
    sequenceNumber: sequenceOf(message) ?? 0n,
    messageId: message.messageId === undefined ? "" : String(message.messageId),
    reason: text(message.deadLetterReason) || "dead-lettered",
    description: text(message.deadLetterErrorDescription),
    deliveryCount: message.deliveryCount ?? 0,
    enqueuedAt: message.enqueuedTimeUtc ?? new Date(0),
    body: message.body as unknown,
  };
}

function unavailable(error: unknown): AppError {
  return new AppError("dependency-unavailable", "The work queue's dead-letter sub-queue did not answer.", {
    cause: error,
  });
}

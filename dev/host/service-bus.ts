import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from "@azure/service-bus";
import type { ServiceBusFunctionDefinition } from "../../functions/lib/definition";
import type { HostLogger } from "./logger";

export interface ServiceBusHostOptions {
  readonly connectionString: string;
  readonly logger: HostLogger;
  /** `extensions.serviceBus.maxConcurrentCalls` from host.json. */
  readonly maxConcurrentCalls: number;
}

export interface RunningReceivers {
  stop(): Promise<void>;
}

/**
 * Feeds Service Bus-triggered functions as the Functions host does: a peek-lock receiver per function;
 * the message is completed when the handler returns and abandoned when it throws. Dead-lettering after
 * the queue's max delivery count is the broker's job, as it is in Azure.
 */
export function startReceivers(
  functions: readonly ServiceBusFunctionDefinition[],
  options: ServiceBusHostOptions,
): RunningReceivers {
  const client = new ServiceBusClient(options.connectionString);
  const receivers: ServiceBusReceiver[] = [];

  for (const definition of functions) {
    const receiver = client.createReceiver(definition.queueName, { receiveMode: "peekLock" });
    receivers.push(receiver);
    const settle = serialised();
    receiver.subscribe(
      {
        processMessage: async (message) => {
          const context = new InvocationContext({
            invocationId: randomUUID(),
            functionName: definition.name,
            triggerMetadata: triggerMetadata(message),
            logHandler: (level, ...args) => options.logger.log(level, definition.name, args),
          });
          try {
            await definition.handler(message.body, context);
          } catch {
            options.logger.log("warning", definition.name, [
              `message ${String(message.messageId)} failed on delivery ${message.deliveryCount ?? "?"}; abandoning`,
            ]);
            await settle(() => receiver.abandonMessage(message));
            return;
          }
          await settle(() => receiver.completeMessage(message));
        },
        processError: (args) => {
          options.logger.error(
            definition.name,
            `receiver error (${args.errorSource}): ${args.error.message}`,
          );
          return Promise.resolve();
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: options.maxConcurrentCalls },
    );
  }

  return {
    stop: async () => {
      await Promise.all(receivers.map((r) => r.close()));
      await client.close();
    },
  };
}

/**
 * Runs settlements of one receiver one after another. rhea 3.0.5 (the SDK's AMQP library) merges two
 * dispositions issued in the same instant into one range frame without comparing their outcomes, so an
 * abandon next to a complete would reach the broker as a complete and the message would be lost. With
 * concurrent handlers that happens; settling one at a time avoids it. (The Functions host in Azure
 * settles through the .NET extension and is not affected.)
 */
function serialised(): (settle: () => Promise<void>) => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return (settle) => {
    const next = last.then(settle, settle);
    last = next.catch(() => undefined);
    return next;
  };
}

/** The trigger metadata the Functions host hands a Service Bus-triggered function. */
function triggerMetadata(message: ServiceBusReceivedMessage): Record<string, unknown> {
  return {
    messageId: message.messageId,
    deliveryCount: message.deliveryCount,
    enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    sequenceNumber: message.sequenceNumber?.toString(),
    contentType: message.contentType,
    correlationId: message.correlationId,
    applicationProperties: message.applicationProperties ?? {},
  };
}

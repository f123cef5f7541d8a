import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from "@azure/service-bus";
import type { DependencyProbe } from "../../app/ports/dependency-probe";
import type { QueueName, QueuedWork, WorkQueue } from "../../app/ports/work-queue";
import { AppError } from "../../domain/errors";
import { azureCredential } from "../identity/credential";
import { ServiceBusDeadLetterQueue } from "./service-bus-dead-letter-queue";

/** A Service Bus namespace: by connection string, or by name with the managed identity. */
export type ServiceBusConnection =
  | { readonly connectionString: string }
  | { readonly fullyQualifiedNamespace: string; readonly managedIdentityClientId?: string };

/** The `WorkQueue` port on Azure Service Bus (or the local broker, which speaks the same AMQP). */
export class ServiceBusWorkQueue implements WorkQueue {
  private readonly senders = new Map<QueueName, ServiceBusSender>();
  /** The queues' dead-letter sub-queues, on the same connection. */
  readonly deadLetterQueue: ServiceBusDeadLetterQueue;

  constructor(private readonly client: ServiceBusClient) {
    this.deadLetterQueue = new ServiceBusDeadLetterQueue(client);
  }

  /** By connection string (the local broker), else by namespace with the managed identity. */
  static connect(connection: ServiceBusConnection): ServiceBusWorkQueue {
    return "connectionString" in connection
      ? new ServiceBusWorkQueue(new ServiceBusClient(connection.connectionString))
      : new ServiceBusWorkQueue(
          new ServiceBusClient(
            connection.fullyQualifiedNamespace,
            azureCredential(connection.managedIdentityClientId),
          ),
        );
  }

  async enqueue(queue: QueueName, work: QueuedWork | readonly QueuedWork[]): Promise<void> {
    const items = Array.isArray(work) ? (work as readonly QueuedWork[]) : [work as QueuedWork];
    if (items.length === 0) return;
    const sender = this.sender(queue);
    try {
      const now = [] as ServiceBusMessage[];
      for (const item of items) {
        const message = toMessage(item);
        if (item.notBefore !== undefined) await sender.scheduleMessages(message, item.notBefore);
        else now.push(message);
      }
      // One message (a booking's command, one recipient's mail) goes as it is: no batch to build.
      if (now.length === 1) {
        await sender.sendMessages(now[0] as ServiceBusMessage);
        return;
      }
      if (now.length === 0) return;
      let batch = await sender.createMessageBatch();
      for (const message of now) {
        if (batch.tryAddMessage(message)) continue;
        await sender.sendMessages(batch);
        batch = await sender.createMessageBatch();
        if (!batch.tryAddMessage(message))
          throw new Error("a message is larger than the queue's maximum size");
      }
      if (batch.count > 0) await sender.sendMessages(batch);
    } catch (error) {
      throw new AppError("dependency-unavailable", "The work queue did not accept the request.", {
        cause: error,
      });
    }
  }

  probe(queue: QueueName): DependencyProbe {
    return {
      name: "serviceBus",
      required: true,
      // Creating a batch attaches a send link, which proves the namespace answers and we may send.
      check: async (signal) => void (await this.sender(queue).createMessageBatch({ abortSignal: signal })),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.close()));
    this.senders.clear();
    await this.client.close();
  }

  private sender(queue: QueueName): ServiceBusSender {
    let sender = this.senders.get(queue);
    if (sender === undefined) {
      sender = this.client.createSender(queue);
      this.senders.set(queue, sender);
    }
    return sender;
  }
}

function toMessage(work: QueuedWork): ServiceBusMessage {
  return {
    messageId: work.id,
    body: work.body,
    contentType: "application/json",
    applicationProperties: {
      attempt: work.attempt ?? 1,
      ...(work.replayed === true ? { replayed: true } : {}),
    },
  };
}

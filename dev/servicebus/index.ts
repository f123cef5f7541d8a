import { AmqpBroker } from "./amqp-server";
import type { QueueOptions } from "./queue-model";

/**
 * A local Service Bus broker for `npm start` and the tests: AMQP 1.0 on 127.0.0.1, close enough
 * to Azure Service Bus that the real `@azure/service-bus` SDK works against it unchanged (queues
 * only; no topics, sessions or transactions). In Azure the app talks to a real namespace.
 *
 *   const bus = await startServiceBus({ queues: [{ name: "graph-changes" }] });
 *   const client = new ServiceBusClient(bus.connectionString);
 *   …
 *   await client.close();
 *   await bus.stop();
 *
 * Known client-side pitfall (not the broker): rhea 3.0.5, which the SDK uses, writes pending
 * dispositions as ranges and, when a range holds a single delivery, appends the next delivery
 * without comparing outcomes. A complete and an abandon (or dead-letter) of consecutive deliveries
 * settled in the same tick then reach the broker, local or Azure, as one "accepted" range: the
 * abandon silently becomes a complete. `subscribe()` with `maxConcurrentCalls > 1` and mixed
 * outcomes triggers it; settling one message at a time per receiver avoids it.
 */

export type { QueueOptions } from "./queue-model";

export interface QueueCounts {
  /** Ready to be received. */
  active: number;
  /** Received in peek-lock mode and not yet settled. */
  locked: number;
  /** Waiting for their scheduled enqueue time. */
  scheduled: number;
  /** In the queue's dead-letter sub-queue. */
  deadLettered: number;
}

export interface RunningServiceBus {
  port: number;
  /** Connection string for `new ServiceBusClient(...)`; `UseDevelopmentEmulator=true` makes the SDK use plain TCP. */
  connectionString: string;
  /** Message counts per queue name (messages set aside with `deferMessage` are not counted). */
  stats(): Record<string, QueueCounts>;
  /** Declares another queue at run time; throws if the name is taken. */
  createQueue(q: QueueOptions): void;
  /** How many `$management` requests of each operation (e.g. `com.microsoft:update-disposition`) were answered. */
  managementOperations(): Record<string, number>;
  /**
   * Applies what is due now by the broker's clock: expired locks, scheduled messages. The broker does
   * this by itself on timers; a test that drives `now` calls it after moving its clock.
   */
  tick(): void;
  /** Closes all client connections and the listener, and clears every timer. */
  stop(): Promise<void>;
}

export async function startServiceBus(options: {
  port?: number;
  queues: QueueOptions[];
  /** The broker's clock in ms (lock expiry, scheduled enqueue); the wall clock unless a test drives it. */
  now?: () => number;
}): Promise<RunningServiceBus> {
  const broker = new AmqpBroker(options.queues, options.now);
  // Port 0 lets the kernel pick a free port at bind time, which cannot race like probing first would.
  const port = await broker.listen(options.port ?? 0);
  let stopped: Promise<void> | undefined;
  return {
    port,
    connectionString:
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;` +
      `SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    stats: () => broker.queueStats(),
    createQueue: (q) => broker.createQueue(q),
    managementOperations: () => ({ ...broker.operations }),
    tick: () => broker.tick(),
    stop: () => {
      stopped ??= broker.close();
      return stopped;
    },
  };
}

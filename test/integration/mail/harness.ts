import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import { inject } from "vitest";
import type { ServiceBusFunctionDefinition } from "../../../functions/lib/definition";
import { type TableService } from "../../../shared/adapters/tables/table-service";
import type { QueueName, QueuedWork, WorkQueue } from "../../../shared/app/ports/work-queue";
import { parseSettings } from "../../../shared/config";
import type { MailSender } from "../../../shared/app/ports/mail-sender";
import { overrideServices, type ServiceOverrides } from "../../../shared/composition";
import { tableServiceFromSettings } from "../../../shared/composition/adapters";

/** A TableService on the shared Azurite under a table prefix of this test's own. */
export function testTables(): TableService {
  const prefix = `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return tableServiceFromSettings(
    parseSettings({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: "unused",
      TABLE_PREFIX: prefix,
    }),
  );
}

/** A settable clock. */
export class TestClock {
  constructor(public ms: number) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

interface Pending {
  readonly id: string;
  readonly body: unknown;
  readonly attempt: number;
  readonly dueMs: number;
}

/**
 * An in-test stand-in for the `mail` queue and the host feeding it: holds enqueued work until it is
 * due on the test clock, delivers it to the trigger handler with the metadata the host passes, and
 * on a throw keeps the message for redelivery (as an abandoned peek-lock message would be).
 */
export class TestQueue implements WorkQueue {
  readonly pending: Pending[] = [];
  readonly deliveries: { id: string; attempt: number }[] = [];

  constructor(private readonly clock: TestClock) {}

  enqueue(_queue: QueueName, work: QueuedWork | readonly QueuedWork[]): Promise<void> {
    for (const w of Array.isArray(work) ? (work as readonly QueuedWork[]) : [work as QueuedWork]) {
      this.pending.push({
        id: w.id,
        body: w.body,
        attempt: w.attempt ?? 1,
        dueMs: w.notBefore?.getTime() ?? this.clock.ms,
      });
    }
    return Promise.resolve();
  }

  /**
   * Delivers until nothing is left: due messages in rounds of `concurrency`, jumping the clock to the
   * next due message when none is due. `between` runs after every round (outage switches).
   */
  async drain(
    handler: ServiceBusFunctionDefinition["handler"],
    options: { concurrency?: number; between?: () => Promise<void> | void; maxRounds?: number } = {},
  ): Promise<{ rounds: number; abandoned: number }> {
    const concurrency = options.concurrency ?? 16;
    let rounds = 0;
    let abandoned = 0;
    while (this.pending.length > 0) {
      if (++rounds > (options.maxRounds ?? 10_000)) throw new Error("the queue does not drain");
      let due = this.pending.filter((p) => p.dueMs <= this.clock.ms);
      if (due.length === 0) {
        this.clock.ms = Math.min(...this.pending.map((p) => p.dueMs));
        due = this.pending.filter((p) => p.dueMs <= this.clock.ms);
      }
      const batch = due.slice(0, concurrency);
      for (const item of batch) this.pending.splice(this.pending.indexOf(item), 1);
      await Promise.all(
        batch.map(async (item) => {
          this.deliveries.push({ id: item.id, attempt: item.attempt });
          const context = new InvocationContext({
            invocationId: randomUUID(),
            functionName: "mail-send",
            triggerMetadata: { messageId: item.id, applicationProperties: { attempt: item.attempt } },
            logHandler: () => undefined,
          });
          try {
            await handler(item.body, context);
          } catch {
            abandoned++;
            this.pending.push({ ...item, dueMs: this.clock.ms + 1_000 });
          }
        }),
      );
      await options.between?.();
    }
    return { rounds, abandoned };
  }
}

/**
 * Points composition (and so the `mail-send` and `secret-expiry` handlers) at these tables, this sender
 * and queue, and this clock, through the one test hook (`overrideServices`). `resetServices()` undoes it.
 */
export async function useMailServices(options: {
  readonly tables: TableService;
  readonly sender: MailSender;
  readonly workQueue: WorkQueue;
  readonly now: () => Date;
  readonly appBaseUrl?: string;
  readonly fromName?: string;
  readonly overrides?: ServiceOverrides;
}): Promise<void> {
  await overrideServices({
    settings: parseSettings({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: "unused",
      TABLE_PREFIX: options.tables.prefix,
      APP_BASE_URL: options.appBaseUrl ?? "https://ones.contoso.com",
      MAIL_FROM_NAME: options.fromName ?? "ONES",
    }),
    tables: options.tables,
    mailSender: options.sender,
    workQueue: options.workQueue,
    now: options.now,
    ...options.overrides,
  });
}

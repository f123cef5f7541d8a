import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { startMailSink, type RunningMailSink } from "../../../dev/mail";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { mailSendHandler } from "../../../functions/mail-send";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { SmtpMailSender } from "../../../shared/adapters/mail/smtp-mail-sender";
import { ServiceBusWorkQueue } from "../../../shared/adapters/servicebus/service-bus-work-queue";
import { TableDeadLetterStore } from "../../../shared/adapters/tables/table-dead-letter-store";
import { TableMailSettingsStore } from "../../../shared/adapters/tables/table-mail-settings-store";
import { sendMail } from "../../../shared/app/send-mail";
import { resetServices } from "../../../shared/composition";
import { examples } from "../../unit/mail/fixtures";
import { eventually } from "../../support/eventually";
import { testTables, useMailServices } from "./harness";

/**
 * The mail path end to end on the local stack: `sendMail` through the real Service Bus SDK to the local
 * broker, the `mail-send` consumer on the local host, Azurite for the sent log and dead letters, the
 * SMTP sink. Real time, with a short retry policy.
 */
const isEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
let sink: RunningMailSink;
let bus: RunningServiceBus;
let host: RunningHost;
let workQueue: ServiceBusWorkQueue;
let deadLetters: TableDeadLetterStore;

beforeAll(async () => {
  sink = await startMailSink();
  bus = await startServiceBus({ queues: [{ name: "mail", maxDeliveryCount: 10 }] });
  workQueue = new ServiceBusWorkQueue(new ServiceBusClient(bus.connectionString));
  const tables = testTables();
  deadLetters = new TableDeadLetterStore(tables);
  const mailSettings = new TableMailSettingsStore(tables);
  await mailSettings.save({ senderAddress: "rooms@contoso.com" });
  await useMailServices({
    tables,
    sender: new SmtpMailSender({ host: "127.0.0.1", port: sink.smtpPort, security: "none" }),
    workQueue,
    now: () => new Date(),
  });
  const consumer = serviceBusFunction({
    name: "mail-send",
    queueName: "mail",
    handler: mailSendHandler({ policy: { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 1_000 } }),
  });
  host = await startHost({
    functions: [consumer],
    port: 0,
    env: { SERVICEBUS: bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
});

afterAll(async () => {
  await host?.stop();
  await resetServices();
  await workQueue?.close();
  await bus?.stop();
  await sink?.stop();
});

describe("mail through the local broker and host", () => {
  it("delivers each mail once though it is enqueued twice and the server refuses the first connections", async () => {
    sink.faults.failTemporarily("smtp", { count: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const request = {
        key: `e2e:${i}`,
        to: [{ email: `user${i}@contoso.com` }],
        template: examples["approval-requested"],
      };
      ids.push(...(await sendMail({ workQueue }, request)));
      await sendMail({ workQueue }, request); // a producer retry: same message id
    }
    // Settled: nothing left to deliver, scheduled for a retry or held by the consumer, so no late
    // duplicate can still arrive.
    await eventually(
      () =>
        sink.messages().length >= 20 &&
        isEqual(bus.stats().mail, { active: 0, locked: 0, scheduled: 0, deadLettered: 0 }),
      {
        timeoutMs: 25_000,
        explain: () => `${sink.messages().length} sent, queue ${JSON.stringify(bus.stats().mail)}`,
      },
    );
    const received = sink.messages().map((m) => m.headers["x-ones-message-id"]);
    expect(received.sort()).toEqual([...ids].sort());
    expect(await deadLetters.list({ queue: "mail" })).toEqual([]);
  }, 30_000);
});

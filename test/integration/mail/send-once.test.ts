import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { startMailSink, type RunningMailSink } from "../../../dev/mail";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { ServiceBusWorkQueue } from "../../../shared/adapters/servicebus/service-bus-work-queue";
import { TableDeadLetterStore } from "../../../shared/adapters/tables/table-dead-letter-store";
import { TableMailSentLog } from "../../../shared/adapters/tables/table-mail-sent-log";
import { TableMailSettingsStore } from "../../../shared/adapters/tables/table-mail-settings-store";
import type { TableService } from "../../../shared/adapters/tables/table-service";
import { inDoubtDetail, sendMail } from "../../../shared/app/send-mail";
import { TableDeadLetterReplayLog } from "../../../shared/adapters/tables/table-dead-letter-replay-log";
import { replayDeadLetter } from "../../../shared/app/dead-letters/replay-dead-letter";
import { eventually } from "../../support/eventually";
import { examples } from "../../unit/mail/fixtures";
import { testTables } from "./harness";

/**
 * Every mail sent once, with the worker killed mid-send: the `mail-send` consumer runs on a host in a
 * child process (killed with SIGKILL), against the local Service Bus broker, Azurite and the SMTP sink,
 * whose holds stop the send at a known point. The send claim's lease is 3 s, the queue lock 2 s.
 */
const LEASE_MS = 3_000;
const ENTRY = path.join(__dirname, "mail-host-child.ts");

let sink: RunningMailSink;
let bus: RunningServiceBus;
let workQueue: ServiceBusWorkQueue;
let tables: TableService;
let deadLetters: TableDeadLetterStore;
const hosts = new Set<ChildProcess>();

beforeAll(async () => {
  sink = await startMailSink();
  bus = await startServiceBus({ queues: [{ name: "mail", maxDeliveryCount: 50, lockDurationMs: 2_000 }] });
  workQueue = new ServiceBusWorkQueue(new ServiceBusClient(bus.connectionString));
  tables = testTables();
  deadLetters = new TableDeadLetterStore(tables);
  await new TableMailSettingsStore(tables).save({ senderAddress: "rooms@contoso.com" });
});

afterEach(async () => {
  for (const host of hosts) await kill(host);
  await sink.faults.restore();
});

afterAll(async () => {
  await workQueue?.close();
  await bus?.stop();
  await sink?.stop();
});

/** The consumer on a host of its own, in a child process. */
async function startMailHost(channel: "smtp" | "sendgrid" = "smtp"): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    env: {
      ...process.env,
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      TABLE_PREFIX: tables.prefix,
      SERVICEBUS: bus.connectionString,
      MAIL_CHANNEL: channel,
      SENDGRID_API_KEY: sink.sendGridApiKey,
      SENDGRID_BASE_URL: sink.sendGridBaseUrl,
      SMTP_HOST: sink.smtpHost,
      SMTP_PORT: String(sink.smtpPort),
      SMTP_SECURITY: "none",
      APP_BASE_URL: "https://ones.contoso.com",
      MAIL_TEST_CLAIM_LEASE_MS: String(LEASE_MS),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  hosts.add(child);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.MAIL_TEST_HOST_LOG !== undefined) appendFileSync(process.env.MAIL_TEST_HOST_LOG, chunk);
      if (output.includes("mail-host ready")) resolve();
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code, signal) => reject(new Error(`mail host ended (${signal ?? code}): ${output}`)));
  });
  return child;
}

/** SIGKILL: the worker stops wherever it is, with no shutdown. */
async function kill(child: ChildProcess): Promise<void> {
  hosts.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

async function enqueueMail(key: string): Promise<string> {
  const [id] = await sendMail(
    { workQueue },
    { key, to: [{ email: "alex@contoso.com" }], template: examples["booking-confirmed"] },
  );
  return id!;
}

/** The attempt ids of the copies of one mail in the sink (SMTP headers, or SendGrid custom args). */
const copiesOf = (id: string): string[] =>
  sink
    .messages()
    .filter((m) => (m.headers["x-ones-message-id"] ?? m.customArgs.onesMessageId) === id)
    .map((m) => m.headers["x-ones-attempt-id"] ?? m.customArgs.onesAttemptId ?? "");

/** Nothing left on the mail queue: ready, locked or scheduled for a retry. */
const settled = (): boolean => {
  const s = bus.stats().mail;
  return s !== undefined && s.active + s.locked + s.scheduled === 0;
};

describe("mail-send with the worker killed mid-send: every mail sent once", () => {
  it("killed after the server accepted the mail but before it was marked sent: in doubt, not sent again", async () => {
    const release = sink.faults.hold("answer");
    const first = await startMailHost();
    const id = await enqueueMail("killed-after-hand-over:1");
    // The server has the mail; its 250 is held, so the worker cannot know.
    await eventually(() => copiesOf(id).length === 1 && sink.faults.waitingAt("answer") === 1, {
      timeoutMs: 20_000,
    });
    await kill(first);
    release();
    await startMailHost();
    // The message comes back when its lock lapses, waits for the claim's lease, and is then dead-lettered.
    await eventually(async () => settled() && (await deadLetters.list({ queue: "mail" })).length === 1, {
      timeoutMs: 40_000,
      explain: () => `queue ${JSON.stringify(bus.stats().mail)}, ${copiesOf(id).length} sent`,
    });
    expect(copiesOf(id)).toHaveLength(1);
    const [letter] = await deadLetters.list({ queue: "mail" });
    expect({
      messageId: letter?.messageId,
      reason: letter?.reason,
      description: letter?.description,
    }).toEqual({
      messageId: id,
      reason: "conflict",
      description: inDoubtDetail,
    });
    expect(await new TableMailSentLog(tables).claim(id, new Date(), LEASE_MS)).toMatchObject({
      state: "in-doubt",
      attemptId: copiesOf(id)[0],
    });

    // An admin who replays it asks for a second copy on purpose: it goes out once, as a new attempt.
    await replayDeadLetter(
      {
        store: deadLetters,
        broker: workQueue.deadLetterQueue,
        workQueue,
        replays: new TableDeadLetterReplayLog(tables),
        now: () => new Date(),
      },
      `store:mail:${Buffer.from(id).toString("base64url")}`,
    );
    await eventually(() => copiesOf(id).length === 2 && settled(), { timeoutMs: 20_000 });
    const [original, replayed] = copiesOf(id);
    expect(replayed).not.toBe(original);
    expect(await deadLetters.list({ queue: "mail" })).toEqual([]);
  }, 90_000);

  it("over SendGrid, killed before the 202 came back: in doubt, not sent again", async () => {
    const release = sink.faults.hold("answer");
    const first = await startMailHost("sendgrid");
    const id = await enqueueMail("sendgrid-killed-after-hand-over:1");
    await eventually(() => copiesOf(id).length === 1 && sink.faults.waitingAt("answer") === 1, {
      timeoutMs: 20_000,
    });
    await kill(first);
    release();
    await startMailHost("sendgrid");
    await eventually(
      async () => settled() && (await deadLetters.list({ queue: "mail" })).some((l) => l.messageId === id),
      {
        timeoutMs: 40_000,
        explain: () => `queue ${JSON.stringify(bus.stats().mail)}, ${copiesOf(id).length} sent`,
      },
    );
    expect(copiesOf(id)).toHaveLength(1);
    expect(copiesOf(id)[0]).toMatch(/^[0-9a-f-]{36}$/);
  }, 90_000);

  it("killed before the mail was handed over: sent after the lease, once, nothing dead-lettered", async () => {
    const release = sink.faults.hold("recipient");
    const first = await startMailHost();
    const id = await enqueueMail("killed-before-hand-over:1");
    await eventually(() => sink.faults.waitingAt("recipient") === 1, { timeoutMs: 20_000 });
    await kill(first);
    release();
    await startMailHost();
    await eventually(() => copiesOf(id).length === 1 && settled(), {
      timeoutMs: 40_000,
      explain: () => `queue ${JSON.stringify(bus.stats().mail)}, ${copiesOf(id).length} sent`,
    });
    expect(copiesOf(id)).toHaveLength(1);
    expect((await deadLetters.list({ queue: "mail" })).filter((l) => l.messageId === id)).toEqual([]);
  }, 90_000);

  it("a send slower than the lease while a second delivery takes over: one copy, sent by the second", async () => {
    const release = sink.faults.hold("recipient");
    await startMailHost();
    const id = await enqueueMail("slow-send:1");
    await eventually(() => sink.faults.waitingAt("recipient") === 1, { timeoutMs: 20_000 });
    // The producer asks again (a retried use case): the second delivery waits out the first's lease,
    // takes the claim over and is held too.
    await enqueueMail("slow-send:1");
    await eventually(() => sink.faults.waitingAt("recipient") === 2, { timeoutMs: 30_000 });
    release();
    await eventually(() => copiesOf(id).length >= 1 && settled(), { timeoutMs: 30_000 });
    expect(copiesOf(id)).toHaveLength(1);
    expect((await deadLetters.list({ queue: "mail" })).filter((l) => l.messageId === id)).toEqual([]);
  }, 90_000);
});

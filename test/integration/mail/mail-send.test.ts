import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetServices } from "../../../shared/composition";
import { startMailSink, type RunningMailSink } from "../../../dev/mail";
import { mailRetryPolicy, mailSendHandler } from "../../../functions/mail-send";
import { SmtpMailSender } from "../../../shared/adapters/mail/smtp-mail-sender";
import { SendGridMailSender } from "../../../shared/adapters/mail/sendgrid-mail-sender";
import { TableDeadLetterStore } from "../../../shared/adapters/tables/table-dead-letter-store";
import { TableMailSettingsStore } from "../../../shared/adapters/tables/table-mail-settings-store";
import type { MailSender } from "../../../shared/app/ports/mail-sender";
import { sendMail } from "../../../shared/app/send-mail";
import { examples } from "../../unit/mail/fixtures";
import { TestClock, TestQueue, testTables, useMailServices } from "./harness";

let sink: RunningMailSink;
beforeAll(async () => {
  sink = await startMailSink();
});
afterAll(async () => {
  await resetServices();
  await sink.stop();
});
beforeEach(async () => {
  await sink.faults.restore();
  sink.clear();
});

async function setup(sender: MailSender) {
  const clock = new TestClock(Date.parse("2026-03-02T08:00:00Z"));
  const tables = testTables();
  const queue = new TestQueue(clock);
  const deadLetters = new TableDeadLetterStore(tables);
  const mailSettings = new TableMailSettingsStore(tables);
  await mailSettings.save({ senderAddress: "rooms@contoso.com" });
  await useMailServices({ tables, sender, workQueue: queue, now: clock.now, fromName: "ONES Rooms" });
  const handler = mailSendHandler();
  return { clock, tables, queue, deadLetters, mailSettings, handler };
}

const smtp = (): SmtpMailSender =>
  new SmtpMailSender({ host: "127.0.0.1", port: sink.smtpPort, security: "none" });

describe("mail-send consumer: never lost, never twice", () => {
  it("an SMTP outage during a burst of 200 mails delays them, then delivers every one exactly once", async () => {
    const { clock, queue, deadLetters, handler } = await setup(smtp());
    const start = clock.ms;
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push(
        ...(await sendMail(
          { workQueue: queue },
          {
            key: `burst:${i}`,
            to: [{ email: `user${i}@contoso.com`, name: `User ${i}` }],
            template: examples["booking-confirmed"],
          },
        )),
      );
    }
    // The server goes down after the first 40 are out, and comes back 10 minutes later (test clock).
    let outageStartedAt: number | undefined;
    let outageEndedAt: number | undefined;
    const { abandoned } = await queue.drain(handler, {
      between: async () => {
        if (outageStartedAt === undefined && sink.messages().length >= 40) {
          outageStartedAt = clock.ms;
          await sink.faults.refuseConnections("smtp");
        } else if (
          outageStartedAt !== undefined &&
          outageEndedAt === undefined &&
          clock.ms - outageStartedAt >= 10 * 60_000
        ) {
          outageEndedAt = clock.ms;
          await sink.faults.restore();
        }
      },
    });

    // Down for ten minutes of the test clock (undefined on either side fails as NaN).
    expect((outageEndedAt ?? Number.NaN) - (outageStartedAt ?? Number.NaN)).toBeGreaterThanOrEqual(
      10 * 60_000,
    );
    expect(abandoned).toBe(0); // every failure went back through handleQueue's backoff, none was thrown to the host
    const received = sink.messages().map((m) => m.headers["x-ones-message-id"]);
    expect(received).toHaveLength(200);
    expect(new Set(received)).toEqual(new Set(ids));
    const retried = new Set(queue.deliveries.filter((d) => d.attempt > 1).map((d) => d.id));
    expect(retried.size).toBeGreaterThanOrEqual(150);
    expect(clock.ms - start).toBeGreaterThanOrEqual(10 * 60_000);
    expect(await deadLetters.list({ queue: "mail" })).toEqual([]);

    // Redelivery of all 200 (a lost lock, a replay, a producer retry): nothing is sent twice.
    for (const [i, id] of ids.entries()) {
      await queue.enqueue("mail", {
        id,
        body: { to: { email: `user${i}@contoso.com` }, template: examples["booking-confirmed"] },
      });
    }
    await queue.drain(handler);
    expect(sink.messages()).toHaveLength(200);
  }, 120_000);

  it("SendGrid 503s and 429s delay the mail; it is then delivered once", async () => {
    const { queue, handler } = await setup(
      new SendGridMailSender({ apiKey: sink.sendGridApiKey, baseUrl: sink.sendGridBaseUrl }),
    );
    sink.faults.failTemporarily("sendgrid", { count: 3, status: 503 });
    await sendMail(
      { workQueue: queue },
      { key: "sg:1", to: [{ email: "alex@contoso.com" }], template: examples["booking-cancelled"] },
    );
    await queue.drain(handler);
    expect(sink.messages()).toHaveLength(1);
    expect(queue.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
  });

  it("a permanently bad address ends dead-lettered with its reason, and is not retried", async () => {
    const { queue, deadLetters, handler } = await setup(smtp());
    sink.faults.rejectAddress("nobody@contoso.com");
    const [badId] = await sendMail(
      { workQueue: queue },
      { key: "bad:1", to: [{ email: "nobody@contoso.com" }], template: examples["booking-declined"] },
    );
    const [goodId] = await sendMail(
      { workQueue: queue },
      { key: "bad:1", to: [{ email: "alex@contoso.com" }], template: examples["booking-declined"] },
    );
    await queue.drain(handler);
    expect(queue.deliveries.filter((d) => d.id === badId)).toHaveLength(1);
    expect(sink.messages().map((m) => m.headers["x-ones-message-id"])).toEqual([goodId]);
    const letter = await deadLetters.get("mail", badId!);
    expect(letter).toMatchObject({
      queue: "mail",
      messageId: badId,
      reason: "validation-failed",
      description: "The SMTP server rejected the recipient address (550).",
      attempts: 1,
    });
    expect(letter!.description).not.toContain("nobody@contoso.com");
    expect(letter!.body).toMatchObject({ to: { email: "nobody@contoso.com" } });
  });

  it("SendGrid's 400 for a bad address is dead-lettered too", async () => {
    const { queue, deadLetters, handler } = await setup(
      new SendGridMailSender({ apiKey: sink.sendGridApiKey, baseUrl: sink.sendGridBaseUrl }),
    );
    sink.faults.rejectAddress("nobody@contoso.com");
    const [id] = await sendMail(
      { workQueue: queue },
      { key: "bad:2", to: [{ email: "nobody@contoso.com" }], template: examples["booking-declined"] },
    );
    await queue.drain(handler);
    expect(await deadLetters.get("mail", id!)).toMatchObject({
      reason: "validation-failed",
      description: expect.stringMatching(/SendGrid rejected the recipient address \(HTTP 400/),
    });
  });

  it("an outage that outlasts every retry ends as retries-exhausted, replayable", async () => {
    const { queue, deadLetters, handler } = await setup(smtp());
    await sink.faults.refuseConnections("smtp");
    const [id] = await sendMail(
      { workQueue: queue },
      { key: "long:1", to: [{ email: "alex@contoso.com" }], template: examples["sign-in-required"] },
    );
    await queue.drain(handler);
    expect(queue.deliveries).toHaveLength(mailRetryPolicy.maxAttempts);
    expect(await deadLetters.get("mail", id!)).toMatchObject({
      reason: "retries-exhausted",
      attempts: mailRetryPolicy.maxAttempts,
    });
  });

  it("without a sender address the mail is dead-lettered with a reason an admin can act on", async () => {
    const { queue, deadLetters, handler, tables } = await setup(smtp());
    await tables.table("settings").then((t) => t.deleteEntity("settings", "mail"));
    const [id] = await sendMail(
      { workQueue: queue },
      { key: "nosender:1", to: [{ email: "alex@contoso.com" }], template: examples["sign-in-required"] },
    );
    await queue.drain(handler);
    expect(await deadLetters.get("mail", id!)).toMatchObject({ reason: "precondition-failed" });
    expect(sink.messages()).toHaveLength(0);
  });

  it("a message that is not a mail is dead-lettered as invalid-message", async () => {
    const { queue, deadLetters, handler } = await setup(smtp());
    await queue.enqueue("mail", { id: "junk-1", body: { to: "x", template: { kind: "nope" } } });
    await queue.drain(handler);
    expect(await deadLetters.get("mail", "junk-1")).toMatchObject({ reason: "invalid-message" });
  });
});

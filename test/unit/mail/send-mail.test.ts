import { describe, expect, it } from "vitest";
import { deliverMail, mailMessageId, sendMail } from "../../../shared/app/send-mail";
import { AppError } from "../../../shared/domain/errors";
import { handOverUnanswered } from "../../../shared/app/ports/mail-sender";
import type { QueuedMail } from "../../../shared/domain/mail/queued-mail";
import { examples } from "./fixtures";
import { MemoryMailSettings, MemorySentLog, MemoryWorkQueue, RecordingSender } from "./fakes";

const mail: QueuedMail = {
  to: { email: "alex@contoso.com", name: "Alex Wilber" },
  template: examples["booking-confirmed"],
};

function setup(now = new Date("2026-03-02T08:00:00Z")) {
  const clock = { now };
  const sender = new RecordingSender();
  const sentLog = new MemorySentLog();
  const deps = {
    sender,
    sentLog,
    mailSettings: new MemoryMailSettings({ senderAddress: "rooms@contoso.com" }),
    now: () => clock.now,
    appBaseUrl: "https://ones.contoso.com",
    fromName: "ONES Rooms",
  };
  return { clock, sender, sentLog, deps };
}

describe("sendMail: enqueue on the mail queue", () => {
  it("enqueues one message per distinct recipient under stable ids", async () => {
    const queue = new MemoryWorkQueue();
    const request = {
      key: "booking-confirmed:bk-123:1",
      to: [
        { email: "alex@contoso.com" },
        { email: "ALEX@contoso.com " },
        { email: "megan@contoso.com", name: "Megan" },
      ],
      template: examples["booking-confirmed"],
    };
    const ids = await sendMail({ workQueue: queue }, request);
    expect(ids).toHaveLength(2);
    expect(queue.items.map((i) => i.queue)).toEqual(["mail", "mail"]);
    expect(queue.items.map((i) => i.work.id)).toEqual(ids);
    expect(ids[0]).toBe(mailMessageId("booking-confirmed:bk-123:1", "alex@contoso.com"));
    expect(ids[0]).toMatch(/^booking-confirmed:bk-123:1~[0-9a-f]{24}$/);
    // Asking again gives the same ids: the consumer sends them once.
    expect(await sendMail({ workQueue: queue }, request)).toEqual(ids);
    expect(queue.items[1]!.work.body).toEqual({
      to: { email: "megan@contoso.com", name: "Megan" },
      template: examples["booking-confirmed"],
    });
  });

  it("refuses a bad key, a bad address or bad template data, naming the fields only", async () => {
    const queue = new MemoryWorkQueue();
    await expect(
      sendMail(
        { workQueue: queue },
        { key: "a/b", to: [{ email: "a@b.com" }], template: examples["sign-in-required"] },
      ),
    ).rejects.toMatchObject({ code: "validation-failed" });
    await expect(
      sendMail(
        { workQueue: queue },
        { key: "k", to: [{ email: "not-an-address" }], template: examples["sign-in-required"] },
      ),
    ).rejects.toMatchObject({
      code: "validation-failed",
      detail: "The mail is not valid: to.email.",
    });
    expect(queue.items).toHaveLength(0);
  });
});

describe("deliverMail: send once per message id", () => {
  it("sends from the stored sender address with MAIL_FROM_NAME, rendered, and marks it sent", async () => {
    const { deps, sender, sentLog } = setup();
    expect(await deliverMail(deps, "m1", mail)).toBe("sent");
    expect(sender.sent).toHaveLength(1);
    const sent = sender.sent[0]!;
    expect(sent.from).toEqual({ email: "rooms@contoso.com", name: "ONES Rooms" });
    expect(sent.to).toEqual({ email: "alex@contoso.com", name: "Alex Wilber" });
    expect(sent.subject).toBe("Confirmed: Quarterly planning in Zugspitze 4.01");
    expect(sent.text).toContain("Hello Alex Wilber,");
    expect(sent.id).toBe("m1");
    expect(sentLog.rows.get("m1")?.state).toBe("sent");
  });

  it("does not send a redelivered message twice", async () => {
    const { deps, sender } = setup();
    await deliverMail(deps, "m1", mail);
    expect(await deliverMail(deps, "m1", mail)).toBe("already-sent");
    expect(sender.sent).toHaveLength(1);
  });

  it("a parallel delivery of the same id waits (transient) while the first holds a fresh claim", async () => {
    const { deps, sender, sentLog, clock } = setup();
    await sentLog.claim("m1", clock.now, 60_000);
    await expect(deliverMail(deps, "m1", mail)).rejects.toMatchObject({
      code: "dependency-unavailable",
      retryable: true,
    });
    expect(sender.sent).toHaveLength(0);
    // A claim whose worker died before handing the mail over lapses after the lease: nothing can have
    // gone out, so the mail goes out now (never lost).
    clock.now = new Date(clock.now.getTime() + 6 * 60_000);
    expect(await deliverMail(deps, "m1", mail)).toBe("sent");
    expect(sender.sent).toHaveLength(1);
  });

  it("a worker that died after handing the mail over leaves it in doubt: dead-lettered, not sent again", async () => {
    const { deps, sender, sentLog, clock } = setup();
    const claim = await sentLog.claim("m1", clock.now, 60_000);
    if (claim.state !== "claimed") throw new Error(claim.state);
    await sentLog.markHandingOver("m1", claim.token, clock.now); // … and then the worker died
    clock.now = new Date(clock.now.getTime() + 6 * 60_000);
    for (let i = 0; i < 2; i++) {
      const error = await deliverMail(deps, "m1", mail).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "conflict", retryable: false });
      expect((error as AppError).detail).toContain("may have been delivered");
    }
    expect(sender.sent).toHaveLength(0);
    expect(sentLog.rows.get("m1")?.state).toBe("in-doubt");
    // An admin's replay sends it, once.
    expect(await deliverMail(deps, "m1", mail, { replay: true })).toBe("sent");
    expect(await deliverMail(deps, "m1", mail, { replay: true })).toBe("already-sent");
    expect(sender.sent.map((m) => m.attemptId)).toEqual(["attempt-3"]);
  });

  it("a hand-over the service never answers is in doubt at once, not retried", async () => {
    const { deps, sender, sentLog } = setup();
    sender.unanswered = () => handOverUnanswered("no answer", new Error("ECONNRESET"));
    await expect(deliverMail(deps, "m1", mail)).rejects.toMatchObject({ code: "conflict", retryable: false });
    expect(sentLog.rows.get("m1")?.state).toBe("in-doubt");
    sender.unanswered = undefined;
    await expect(deliverMail(deps, "m1", mail)).rejects.toMatchObject({ code: "conflict" });
    expect(sender.sent).toHaveLength(0);
  });

  it("a slow delivery whose claim was taken over stops before handing the mail over", async () => {
    const { deps, sender, sentLog, clock } = setup();
    let takeOver: Promise<unknown> = Promise.resolve();
    sender.fail = () => {
      // While this delivery is still composing, its lease lapses and another delivery takes over.
      clock.now = new Date(clock.now.getTime() + 6 * 60_000);
      takeOver = sentLog.claim("m1", clock.now, 5 * 60_000);
      return undefined;
    };
    const error = await deliverMail(deps, "m1", mail).catch((e: unknown) => e);
    await takeOver;
    expect(error).toBeInstanceOf(Error);
    expect(sender.sent).toHaveLength(0);
    expect(sentLog.rows.get("m1")?.state).toBe("sending");
  });

  it("gives the claim back when the send fails, so the retry can send at once", async () => {
    const { deps, sender, sentLog } = setup();
    sender.fail = () => new AppError("dependency-unavailable", "SMTP down");
    await expect(deliverMail(deps, "m1", mail)).rejects.toMatchObject({ code: "dependency-unavailable" });
    expect(sentLog.rows.has("m1")).toBe(false);
    sender.fail = undefined;
    expect(await deliverMail(deps, "m1", mail)).toBe("sent");
  });

  it("turns an unexpected sender failure into a transient AppError without its message", async () => {
    const { deps, sender } = setup();
    sender.fail = () => new Error("SG.secret-key leaked in an SDK message");
    const error = await deliverMail(deps, "m1", mail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).detail).not.toContain("SG.");
  });

  it("once the mail is out, a failure to mark it sent is swallowed: the queue must not redeliver it", async () => {
    const { deps, sender, sentLog } = setup();
    const logs: string[] = [];
    sentLog.failMarks = 3;
    expect(await deliverMail({ ...deps, log: (m) => logs.push(m) }, "m1", mail)).toBe("sent");
    expect(sender.sent).toHaveLength(1);
    expect(logs.join("\n")).toContain("could not be marked sent");
    expect(logs.join("\n")).not.toContain("Quarterly planning");
  });

  it("without a sender address fails permanently with a reason an admin can act on", async () => {
    const { deps, sender } = setup();
    await expect(
      deliverMail({ ...deps, mailSettings: new MemoryMailSettings() }, "m1", mail),
    ).rejects.toMatchObject({
      code: "precondition-failed",
      retryable: false,
    });
    expect(sender.sent).toHaveLength(0);
  });
});

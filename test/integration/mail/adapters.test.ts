import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMailSink, type RunningMailSink } from "../../../dev/mail";
import { SendGridMailSender } from "../../../shared/adapters/mail/sendgrid-mail-sender";
import { SmtpMailSender } from "../../../shared/adapters/mail/smtp-mail-sender";
import type { MailSender, OutgoingMail } from "../../../shared/app/ports/mail-sender";
import { AppError } from "../../../shared/domain/errors";
import { renderMail } from "../../../shared/domain/mail/templates";
import { examples, hostileExamples, now } from "../../unit/mail/fixtures";

let sink: RunningMailSink;
beforeAll(async () => {
  sink = await startMailSink({ tls: true, smtpsPort: 0 });
});
afterAll(async () => {
  await sink.stop();
});
beforeEach(async () => {
  await sink.faults.restore();
  sink.clear();
});

const from = { email: "rooms@contoso.com", name: "ONES Rooms" };
const to = { email: "alex@contoso.com", name: "Alex Wilber" };
const ctx = { appBaseUrl: "https://ones.contoso.com", productName: "ONES", recipientName: to.name, now };

const senders: Record<string, () => MailSender> = {
  sendgrid: () => new SendGridMailSender({ apiKey: sink.sendGridApiKey, baseUrl: sink.sendGridBaseUrl }),
  "smtp (plain)": () => new SmtpMailSender({ host: "127.0.0.1", port: sink.smtpPort, security: "none" }),
  "smtp (STARTTLS)": () =>
    new SmtpMailSender({
      host: "127.0.0.1",
      port: sink.smtpPort,
      security: "starttls",
      ca: sink.tlsCertificate!,
    }),
  "smtp (implicit TLS)": () =>
    new SmtpMailSender({
      host: "127.0.0.1",
      port: sink.smtpsPort!,
      security: "tls",
      ca: sink.tlsCertificate!,
    }),
};

const outgoing = (id: string, rendered: { subject: string; html: string; text: string }): OutgoingMail => ({
  id,
  from,
  to,
  ...rendered,
});
/** mailparser and SendGrid may differ in the final newline and in CRLF. */
const normalize = (s: string | undefined): string => (s ?? "").replace(/\r\n/g, "\n").trimEnd();

describe.each(Object.keys(senders))("%s adapter against the mail sink", (name) => {
  const sender = (): MailSender => senders[name]!();

  it("delivers every template with its subject, text and HTML, from the sender address and display name", async () => {
    const s = sender();
    const kinds = Object.values(examples);
    for (const [i, t] of kinds.entries()) await s.send(outgoing(`tpl-${i}`, renderMail(t, ctx)));
    const got = sink.messages();
    expect(got).toHaveLength(kinds.length);
    for (const [i, t] of kinds.entries()) {
      const rendered = renderMail(t, ctx);
      const m = got.find((x) => x.headers["x-ones-message-id"] === `tpl-${i}`);
      expect(m?.headers["x-ones-message-id"], t.kind).toBe(`tpl-${i}`);
      expect(m!.from).toEqual(from);
      expect(m!.to).toEqual([to]);
      expect(m!.subject).toBe(rendered.subject);
      expect(normalize(m!.text)).toBe(normalize(rendered.text));
      expect(normalize(m!.html)).toBe(normalize(rendered.html));
    }
  });

  it("carries hostile subjects and names as text: one Subject header, no injected header, no markup", async () => {
    const s = sender();
    const hostile =
      'Budget\r\nBcc: attacker@evil.example\r\n\r\n<script>alert(1)</script>"><img src=x onerror=alert(1)>';
    const [template] = hostileExamples(hostile);
    const rendered = renderMail(template!, { ...ctx, recipientName: hostile });
    await s.send({ ...outgoing("hostile-1", rendered), to: { email: to.email, name: hostile } });
    const [m] = sink.messages();
    expect(m!.subject).toBe(rendered.subject);
    expect(m!.subject).not.toMatch(/[\r\n]/);
    expect(m!.headers.bcc).toBeUndefined();
    expect(m!.envelopeTo).toEqual([to.email]);
    expect(m!.to).toHaveLength(1);
    expect(m!.to[0]!.email).toBe(to.email);
    expect(m!.html).not.toMatch(/<script|<img/i);
  });

  it("fails permanently for a rejected address, with a safe reason", async () => {
    sink.faults.rejectAddress(to.email);
    const error = await sender()
      .send(outgoing("bad-1", renderMail(examples["sign-in-required"], ctx)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("validation-failed");
    expect((error as AppError).retryable).toBe(false);
    expect((error as AppError).detail).toMatch(/rejected the recipient address/);
    expect((error as AppError).detail).not.toContain(to.email);
    expect(sink.messages()).toHaveLength(0);
  });

  it("fails transiently during an outage and delivers once it is over", async () => {
    await sink.faults.refuseConnections();
    const mail = outgoing("outage-1", renderMail(examples["sign-in-required"], ctx));
    await expect(sender().send(mail)).rejects.toMatchObject({
      code: "dependency-unavailable",
      retryable: true,
    });
    await sink.faults.restore();
    await sender().send(mail);
    expect(sink.messages()).toHaveLength(1);
  });

  it("fails transiently on a temporary refusal (SMTP 421, SendGrid 503 and 429)", async () => {
    const channel = name.startsWith("smtp") ? "smtp" : "sendgrid";
    const statuses = channel === "smtp" ? [421, 451] : [503, 429];
    for (const status of statuses) {
      sink.faults.failTemporarily(channel, { count: 1, status });
      const error = (await sender()
        .send(outgoing(`tmp-${status}`, renderMail(examples["sign-in-required"], ctx)))
        .catch((e: unknown) => e)) as AppError;
      expect(error.code).toBe("dependency-unavailable");
      expect(error.detail).toContain(String(status));
    }
  });
});

describe("credentials", () => {
  it("SendGrid: a wrong API key is a permanent failure that never shows the key", async () => {
    const s = new SendGridMailSender({ apiKey: "SG.wrong-key-123", baseUrl: sink.sendGridBaseUrl });
    const error = (await s
      .send(outgoing("key-1", renderMail(examples["sign-in-required"], ctx)))
      .catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe("precondition-failed");
    expect(error.retryable).toBe(false);
    expect(`${error.detail} ${error.message}`).not.toContain("SG.wrong-key-123");
  });

  it("SMTP: logs in when the server wants it, and a wrong password fails permanently", async () => {
    const authed = await startMailSink({ smtpAuth: { user: "ones", pass: "right" } });
    try {
      const mail = outgoing("auth-1", renderMail(examples["sign-in-required"], ctx));
      await new SmtpMailSender({
        host: "127.0.0.1",
        port: authed.smtpPort,
        security: "none",
        auth: { user: "ones", pass: "right" },
      }).send(mail);
      expect(authed.messages()).toHaveLength(1);
      const error = (await new SmtpMailSender({
        host: "127.0.0.1",
        port: authed.smtpPort,
        security: "none",
        auth: { user: "ones", pass: "wrong" },
      })
        .send(mail)
        .catch((e: unknown) => e)) as AppError;
      expect(error.code).toBe("precondition-failed");
      expect(error.detail).not.toContain("wrong");
    } finally {
      await authed.stop();
    }
  });

  it("SMTP STARTTLS refuses a server certificate it does not trust (transient: an admin fixes it, mail waits)", async () => {
    const s = new SmtpMailSender({ host: "127.0.0.1", port: sink.smtpPort, security: "starttls" });
    await expect(
      s.send(outgoing("tls-1", renderMail(examples["sign-in-required"], ctx))),
    ).rejects.toMatchObject({ code: "dependency-unavailable" });
  });
});

describe("the sink's SendGrid API answers as SendGrid does", () => {
  const post = (body: unknown, key = sink.sendGridApiKey) =>
    fetch(`${sink.sendGridBaseUrl}/v3/mail/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const good = {
    personalizations: [{ to: [{ email: "a@contoso.com" }] }],
    from: { email: "rooms@contoso.com" },
    subject: "Hi",
    content: [{ type: "text/plain", value: "plain" }],
  };

  it("202 with x-message-id and an empty body", async () => {
    const res = await post(good);
    expect(res.status).toBe(202);
    expect(res.headers.get("x-message-id")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await res.text()).toBe("");
  });

  it("401 without the right key", async () => {
    const res = await post(good, "SG.nope");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });

  it("400 naming each bad field", async () => {
    const res = await post({
      personalizations: [{ to: [{ email: "nope" }] }],
      content: [{ type: "text/plain", value: "" }],
    });
    expect(res.status).toBe(400);
    const fields = ((await res.json()) as { errors: { field: string | null }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(["from", "content.0.value", "personalizations.0.to.0.email", "subject"]),
    );
    expect((await post("{not json")).status).toBe(400);
  });

  it("lists the messages on a dev page, HTML in a sandboxed frame and text escaped", async () => {
    await new SendGridMailSender({ apiKey: sink.sendGridApiKey, baseUrl: sink.sendGridBaseUrl }).send(
      outgoing("page-1", renderMail(hostileExamples("<script>alert(1)</script>")[0]!, ctx)),
    );
    const page = await (await fetch(sink.pageUrl)).text();
    expect(page).toBe(sink.pageHtml());
    expect(page).toContain("<iframe sandbox");
    expect(page).toContain("&lt;script&gt;");
    expect(page).not.toContain("<script>");
    const json = (await (await fetch(`${sink.pageUrl}messages`)).json()) as unknown[];
    expect(json).toHaveLength(1);
  });
});

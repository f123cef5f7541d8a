import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startMailSink, type RunningMailSink } from "../../../dev/mail";
import { mailSendHandler } from "../../../functions/mail-send";
import { secretExpiryHandler } from "../../../functions/secret-expiry";
import { SmtpMailSender } from "../../../shared/adapters/mail/smtp-mail-sender";
import { AesGcmSecretBox, generateKey } from "../../../shared/adapters/crypto/aes-gcm-secret-box";
import { TableIntegrationStore } from "../../../shared/adapters/tables/table-integration-store";
import { TableMailSettingsStore } from "../../../shared/adapters/tables/table-mail-settings-store";
import type { IntegrationSecretInfo } from "../../../shared/app/ports/integration-secret-info";
import { secretInfoFromIntegration } from "../../../shared/app/secret-info-from-integration";
import { resetServices } from "../../../shared/composition";
import { parseSettings } from "../../../shared/config";
import { TestClock, TestQueue, testTables, useMailServices } from "./harness";
import { servicesWith } from "../../support/services";

let sink: RunningMailSink;
beforeAll(async () => {
  sink = await startMailSink();
});
afterAll(async () => {
  await resetServices();
  await sink.stop();
});

const day = 86_400_000;
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};

async function setup(start: string, secretInfoOverride?: IntegrationSecretInfo) {
  const clock = new TestClock(Date.parse(start));
  const tables = testTables();
  const queue = new TestQueue(clock);
  const integration = new TableIntegrationStore(tables, new AesGcmSecretBox(generateKey()));
  /** Saves the integration as `PUT /api/admin/integration` does, with this secret expiry and admins. */
  const saveIntegration = (info: { expiresAt: Date; clientId?: string; adminEmails: string[] }) =>
    integration.save({
      name: "Contoso",
      cloud: "global",
      tenantId: "5f0c1b9e-6d6b-4c4e-9a61-0e5e2d6a7c01",
      clientId: info.clientId ?? "a1f00000-0000-4000-8000-000000000004",
      mode: "application",
      secretExpiresAt: info.expiresAt,
      adminEmails: info.adminEmails,
      updatedAt: clock.now(),
    });
  const secretInfo = secretInfoOverride ?? secretInfoFromIntegration(integration);
  const mailSettings = new TableMailSettingsStore(tables);
  await mailSettings.save({ senderAddress: "ones@contoso.com" });
  const logs: string[] = [];
  const context = () =>
    new InvocationContext({
      functionName: "secret-expiry",
      logHandler: (_level, ...args) => logs.push(args.map(String).join(" ")),
    });
  await useMailServices({
    tables,
    sender: new SmtpMailSender({ host: "127.0.0.1", port: sink.smtpPort, security: "none" }),
    workQueue: queue,
    now: clock.now,
    overrides: { integrationSecretInfo: secretInfo },
  });
  const runTimer = secretExpiryHandler;
  const consumer = mailSendHandler();
  /** One timer run at the current test time, then the mail queue drained. */
  const tick = async (): Promise<void> => {
    await runTimer(timer, context());
    await queue.drain(consumer);
  };
  return { clock, saveIntegration, tick, logs, tables };
}

describe("secret-expiry timer", () => {
  it("mails every admin 30, 7 and 1 days ahead, once each, over daily (and repeated) runs", async () => {
    sink.clear();
    const { clock, saveIntegration, tick, logs } = await setup("2026-02-01T07:00:00Z");
    const expiresAt = new Date("2026-03-20T10:00:00Z");
    await saveIntegration({
      expiresAt,
      clientId: "app-1",
      adminEmails: ["it@contoso.com", "boss@contoso.com"],
    });

    // Every day at 07:00 for two months, and a second run at 07:30 (a restart, a manual trigger).
    while (clock.ms < Date.parse("2026-04-01T00:00:00Z")) {
      await tick();
      clock.ms += 30 * 60_000;
      await tick();
      clock.ms += day - 30 * 60_000;
    }

    const got = sink.messages();
    expect(got).toHaveLength(6);
    for (const admin of ["it@contoso.com", "boss@contoso.com"]) {
      const theirs = got.filter((m) => m.envelopeTo.includes(admin)).map((m) => m.subject);
      expect(theirs).toEqual([
        "ONES client secret expires in 30 days (20 March 2026)",
        "ONES client secret expires in 7 days (20 March 2026)",
        "ONES client secret expires in 1 day (20 March 2026)",
      ]);
    }
    expect(got.every((m) => m.from.email === "ones@contoso.com" && m.from.name === "ONES")).toBe(true);
    expect(got[0]!.text).toContain("Application (client) ID: app-1");
    // When each warning went out (the test clock at the run that sent it).
    expect(logs.filter((l) => l.includes("warning enqueued"))).toEqual([
      "secret-expiry: 30-day warning enqueued for 2 admin(s)",
      "secret-expiry: 7-day warning enqueued for 2 admin(s)",
      "secret-expiry: 1-day warning enqueued for 2 admin(s)",
    ]);
    expect(logs.join("\n")).not.toContain("@contoso.com");
  }, 60_000);

  it("starts over for a new secret, and sends only the most urgent warning when first run late", async () => {
    sink.clear();
    const { clock, saveIntegration, tick } = await setup("2026-03-15T07:00:00Z");
    await saveIntegration({
      expiresAt: new Date("2026-03-20T10:00:00Z"),
      adminEmails: ["it@contoso.com"],
    });
    await tick(); // five days and three hours left: the 7-day warning only
    clock.advance(day);
    await tick();
    expect(sink.messages().map((m) => m.subject)).toEqual([
      "ONES client secret expires in 6 days (20 March 2026)",
    ]);

    // The admin rotates the secret: the new one expires in two years; nothing is due.
    await saveIntegration({
      expiresAt: new Date("2028-03-16T10:00:00Z"),
      adminEmails: ["it@contoso.com"],
    });
    await tick();
    expect(sink.messages()).toHaveLength(1);
    clock.ms = Date.parse("2028-03-15T07:00:00Z");
    await tick();
    expect(
      sink
        .messages()
        .map((m) => m.subject)
        .at(-1),
    ).toBe("ONES client secret expires in 2 days (16 March 2028)");
  });

  it("does nothing without a secret expiry or without admins", async () => {
    sink.clear();
    const { saveIntegration, tick, logs } = await setup("2026-03-15T07:00:00Z");
    await tick();
    await saveIntegration({ expiresAt: new Date("2026-03-16T07:00:00Z"), adminEmails: [] });
    await tick();
    expect(sink.messages()).toHaveLength(0);
    expect(logs).toEqual(["secret-expiry: no-secret", "secret-expiry: no-admins (1-day warning)"]);
  });

  it("warns from the bootstrap app settings alone, before any admin saved the integration", async () => {
    sink.clear();
    const services = await servicesWith({
      settings: parseSettings({
        TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
        TABLE_PREFIX: `boot${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
        SERVICEBUS: "unused",
        M365_TENANT_ID: "5f0c1b9e-6d6b-4c4e-9a61-0e5e2d6a7c01",
        M365_CLIENT_ID: "a1f00000-0000-4000-8000-000000000004",
        M365_INTEGRATION_MODE: "application",
        M365_CLIENT_SECRET:
          "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/m365-client-secret/)",
        M365_CLIENT_SECRET_EXPIRES_AT: "2026-03-20",
        M365_ADMIN_EMAILS: "it@contoso.com, boss@contoso.com",
      }),
    });
    const { clock, tick, logs } = await setup("2026-02-10T07:00:00Z", services.integrationSecretInfo);
    await tick(); // 38 days ahead: nothing due yet
    clock.ms = Date.parse("2026-02-18T07:00:00Z");
    await tick();
    await tick();

    const got = sink.messages();
    expect(got.map((m) => m.envelopeTo).sort()).toEqual([["boss@contoso.com"], ["it@contoso.com"]]);
    expect(got.map((m) => m.subject)).toEqual([
      "ONES client secret expires in 30 days (20 March 2026)",
      "ONES client secret expires in 30 days (20 March 2026)",
    ]);
    expect(got[0]!.text).toContain("Application (client) ID: a1f00000-0000-4000-8000-000000000004");
    expect(logs).toEqual([
      "secret-expiry: nothing-due",
      "secret-expiry: 30-day warning enqueued for 2 admin(s)",
      "secret-expiry: already-warned (30-day warning)",
    ]);
  });
});

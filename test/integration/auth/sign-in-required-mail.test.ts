import { ServiceBusClient, type ServiceBusReceiver } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { getServices, resetServices } from "../../../shared/composition/services";
import { resetSettings } from "../../../shared/config";
import type { QueuedMail } from "../../../shared/domain/mail/queued-mail";
import { AppError } from "../../../shared/domain/errors";
import { CookieJar, signIn, startAuthStack, type AuthStack } from "./helpers";

/**
 * Delegated mode: when a user's refresh token stops working, the user is flagged and told by mail once
 * per lapse. Real MSAL against the M365 simulator, the real Service Bus SDK against the local broker;
 * the `mail` queue is read to see what was enqueued.
 */
let stack: AuthStack;
let bus: RunningServiceBus;
let client: ServiceBusClient;
let receiver: ServiceBusReceiver;
let user: { id: string; upn: string };

beforeAll(async () => {
  bus = await startServiceBus({ queues: [{ name: "mail" }] });
  stack = await startAuthStack();
  // The services are built on first use: point them at the broker before that.
  process.env.SERVICEBUS = bus.connectionString;
  resetSettings();
  await resetServices();
  client = new ServiceBusClient(bus.connectionString);
  receiver = client.createReceiver("mail", { receiveMode: "receiveAndDelete" });
  const rec = stack.sim.control.addUser({
    userPrincipalName: "lena.lapse@contoso.example",
    displayName: "Lena Lapse",
    mail: "lena.lapse@contoso.example",
  });
  user = { id: rec.id, upn: rec.data.userPrincipalName };
  await stack.configure("delegated", DEMO_APPS.delegatedPermission);
  // Access tokens inside MSAL's refresh margin: every call renews with the refresh token.
  stack.sim.control.configureEntra({ accessTokenLifetimeSeconds: 60 });
});
afterAll(async () => {
  await receiver?.close();
  await client?.close();
  await stack?.stop();
  await bus?.stop();
});

/** Every message on the `mail` queue now (taking them off). */
async function drainMail(): Promise<{ id: string; body: QueuedMail }[]> {
  const out: { id: string; body: QueuedMail }[] = [];
  for (;;) {
    const batch = await receiver.receiveMessages(20, { maxWaitTimeInMs: 500 });
    if (batch.length === 0) return out;
    for (const m of batch) out.push({ id: String(m.messageId), body: m.body as QueuedMail });
  }
}

async function failingTokenCall(): Promise<void> {
  const error = await getServices()
    .graphTokens.userToken(user.id)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("unauthenticated");
}

describe("the sign-in-required mail", () => {
  it("is enqueued once per lapse: once for repeated failures, again after the next sign-in lapses", async () => {
    await signIn(stack, new CookieJar(), user.upn);
    await getServices().graphTokens.userToken(user.id);
    expect(await drainMail()).toEqual([]);

    stack.sim.control.revokeRefreshTokens({ userId: user.id });
    await failingTokenCall();
    await failingTokenCall();
    expect(await getServices().userTokens.state(user.id)).toBe("needs-sign-in");
    const first = await drainMail();
    expect(first).toHaveLength(1);
    expect(first[0]?.id).toMatch(new RegExp(`^sign-in-required:${user.id}:`));
    expect(first[0]?.body).toEqual({
      to: { email: user.upn, name: "Lena Lapse" },
      // AADSTS50173: the grant was revoked (password changed or sessions revoked).
      template: { kind: "sign-in-required", reason: "password-changed" },
    });

    await signIn(stack, new CookieJar(), user.upn);
    await getServices().graphTokens.userToken(user.id);
    stack.sim.control.revokeRefreshTokens({ userId: user.id });
    await failingTokenCall();
    await failingTokenCall();
    const second = await drainMail();
    expect(second).toHaveLength(1);
    expect(second[0]?.body.template).toEqual({ kind: "sign-in-required", reason: "password-changed" });
    expect(second[0]?.id).toMatch(new RegExp(`^sign-in-required:${user.id}:`));
    expect(second[0]?.id).not.toBe(first[0]?.id);
  });

  it("is still sent when the mail queue was unavailable at the first flag: once, on a later call", async () => {
    await signIn(stack, new CookieJar(), user.upn);
    await getServices().graphTokens.userToken(user.id);
    expect(await drainMail()).toEqual([]);
    // The mail queue is down (nothing listens there) when the refresh token turns out revoked.
    process.env.SERVICEBUS =
      "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;";
    resetSettings();
    await resetServices();
    try {
      stack.sim.control.revokeRefreshTokens({ userId: user.id });
      await failingTokenCall();
      expect(await getServices().userTokens.state(user.id)).toBe("needs-sign-in");
      expect((await getServices().userTokens.flagged(user.id))?.notified).toBe(false);
    } finally {
      process.env.SERVICEBUS = bus.connectionString;
      resetSettings();
      await resetServices();
    }
    expect(await drainMail()).toEqual([]);
    // The queue is back: the next calls for the flagged user tell them, once.
    await failingTokenCall();
    await failingTokenCall();
    const mails = await drainMail();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.id).toMatch(new RegExp(`^sign-in-required:${user.id}:`));
    expect((await getServices().userTokens.flagged(user.id))?.notified).toBe(true);
  });

  it("parallel failures of one lapse agree on the message id (the consumer sends it once)", async () => {
    await signIn(stack, new CookieJar(), user.upn);
    await getServices().graphTokens.userToken(user.id);
    stack.sim.control.revokeRefreshTokens({ userId: user.id });
    await Promise.all([failingTokenCall(), failingTokenCall(), failingTokenCall()]);
    const mails = await drainMail();
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(new Set(mails.map((m) => m.id)).size).toBe(1);
  });
});

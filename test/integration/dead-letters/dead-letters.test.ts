import { eventually } from "../../support/eventually";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { handleQueue, workItemOf } from "../../../functions/lib/queue";
import { getServices, resetServices } from "../../../shared/composition/services";
import { resetSettings } from "../../../shared/config";
import { AppError } from "../../../shared/domain/errors";
import { startAdminStack, type AdminStack } from "../integration-settings/helpers";
import type { CookieJar } from "../auth/helpers";

/**
 * The admin's dead-letter view and replay over HTTP, on the local host with the real broker and
 * Azurite: a message the broker dead-lettered after its max delivery count, and one the app recorded
 * as a permanent failure through `handleQueue`, both listed, both replayed once and then done.
 */
const MAX_DELIVERY_COUNT = 3;
const job = z.object({ n: z.number().int() });

/** Message ids whose handler fails, until the test lets them through. */
const poisoned = new Set<string>();
const done = new Map<string, number[]>();
const record = (id: string, attempt: number): void => void done.set(id, [...(done.get(id) ?? []), attempt]);

/** Throws outright: the host abandons, and the broker dead-letters after MAX_DELIVERY_COUNT. */
const brokerConsumer = serviceBusFunction({
  name: "scratch-calendar-changes",
  queueName: "calendar-changes",
  handler: (_body, context) => {
    const work = workItemOf(context);
    if (poisoned.has(work.messageId)) return Promise.reject(new Error("poison"));
    record(work.messageId, work.attempt);
    return Promise.resolve();
  },
});

/** Through handleQueue: a permanent failure lands in the dead-letter store. */
const storeConsumer = serviceBusFunction({
  name: "scratch-booking-commands",
  queueName: "booking-commands",
  handler: handleQueue("booking-commands", job, (_body, work) => {
    if (poisoned.has(work.messageId))
      return Promise.reject(new AppError("precondition-failed", "The room is not bookable."));
    record(work.messageId, work.attempt);
    return Promise.resolve();
  }),
});

let s: AdminStack;
let bus: RunningServiceBus;
let consumers: RunningHost;
let admin: CookieJar;

beforeAll(async () => {
  // No `sync-run` queue here: the listing treats a queue the namespace lacks as one without dead letters.
  bus = await startServiceBus({
    queues: [
      { name: "booking-commands" },
      { name: "calendar-changes", maxDeliveryCount: MAX_DELIVERY_COUNT },
      { name: "mail" },
    ],
  });
  s = await startAdminStack();
  process.env.SERVICEBUS = bus.connectionString;
  resetSettings();
  await resetServices();
  consumers = await startHost({
    functions: [brokerConsumer, storeConsumer],
    port: 0,
    env: { SERVICEBUS: bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
  admin = await s.signInAs("application");
});

afterAll(async () => {
  await consumers.stop();
  await s.stack.stop();
  await bus.stop();
});

interface View {
  id: string;
  source: string;
  queue: string;
  messageId: string;
  reason: string;
  description: string;
  attempts: number;
  failedAt: string;
  summary?: Record<string, string>;
}
interface Listing {
  items: View[];
  continuation?: string;
}

async function list(query = ""): Promise<Listing> {
  const response = await s.call(admin, "GET", `/api/admin/dead-letters${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Listing;
}

/** Every item of the listing, page by page. */
async function listAll(query: string, limit: number): Promise<View[]> {
  const items: View[] = [];
  let continuation: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const params = new URLSearchParams(query);
    params.set("limit", String(limit));
    if (continuation !== undefined) params.set("continuation", continuation);
    const page = await list(`?${params.toString()}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    continuation = page.continuation;
    if (continuation === undefined) return items;
  }
  throw new Error("the listing did not end");
}

/** A replay as the ONES app sends it: with the session cookie, from the app's own origin. */
const replay = (id: string, jar = admin): Promise<Response> =>
  fetch(`${s.stack.host.baseUrl}/api/admin/dead-letters/${encodeURIComponent(id)}/replay`, {
    method: "POST",
    headers: { cookie: jar.header(), origin: s.stack.host.baseUrl },
  });

describe("dead letters", () => {
  it(
    "lists the broker's and the store's dead letters, replays each once, and then they are done",
    { timeout: 60_000 },
    async () => {
      poisoned.add("cal-1").add("cmd-1");
      const queue = getServices().workQueue;
      await queue.enqueue("calendar-changes", { id: "cal-1", body: { n: 1 } });
      await queue.enqueue("booking-commands", { id: "cmd-1", body: { n: 2 } });
      await eventually(async () => bus.stats()["calendar-changes"]?.deadLettered === 1);
      await eventually(
        async () => (await getServices().deadLetters.get("booking-commands", "cmd-1")) !== undefined,
      );

      const { items } = await list();
      expect(items).toHaveLength(2);
      const fromStore = items.find((i) => i.source === "store");
      const fromBroker = items.find((i) => i.source === "broker");
      expect(fromStore).toMatchObject({
        queue: "booking-commands",
        messageId: "cmd-1",
        reason: "precondition-failed",
        description: "The room is not bookable.",
        attempts: 1,
      });
      expect(fromStore?.id).toMatch(/^store:booking-commands:[A-Za-z0-9_-]+$/);
      expect(fromBroker).toMatchObject({
        queue: "calendar-changes",
        messageId: "cal-1",
        reason: "MaxDeliveryCountExceeded",
        attempts: MAX_DELIVERY_COUNT,
      });
      expect(fromBroker?.id).toMatch(/^bus:calendar-changes:\d+$/);
      expect(Number.isNaN(Date.parse(fromBroker?.failedAt ?? ""))).toBe(false);
      expect((await list("?queue=calendar-changes")).items.map((i) => i.id)).toEqual([fromBroker?.id]);
      expect((await list("?queue=booking-commands")).items.map((i) => i.id)).toEqual([fromStore?.id]);
      expect((await list("?queue=mail")).items).toEqual([]);

      poisoned.clear();
      for (const item of [fromStore, fromBroker]) {
        const response = await replay(item!.id);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ id: item!.id, messageId: item!.messageId });
      }
      await eventually(() => done.has("cal-1") && done.has("cmd-1"));
      await eventually(
        () => bus.stats()["calendar-changes"]?.active === 0 && bus.stats()["booking-commands"]?.active === 0,
      );
      await eventually(
        () => bus.stats()["calendar-changes"]?.locked === 0 && bus.stats()["booking-commands"]?.locked === 0,
      );
      // Replayed as attempt 1 with the same message id, consumed exactly once.
      expect(done.get("cal-1")).toEqual([1]);
      expect(done.get("cmd-1")).toEqual([1]);
      expect((await list()).items).toEqual([]);
      expect(bus.stats()["calendar-changes"]).toMatchObject({ deadLettered: 0, scheduled: 0 });

      for (const item of [fromStore, fromBroker]) expect((await replay(item!.id)).status).toBe(409);
    },
  );

  it("answers 404 for unknown ids", async () => {
    const unknownStore = `store:mail:${Buffer.from("never-failed").toString("base64url")}`;
    for (const id of [unknownStore, "bus:mail:424242", "bus:nowhere:1", "junk", "store:mail:"]) {
      expect((await replay(id)).status, id).toBe(404);
    }
  });

  it(
    "pages through both kinds with a continuation, and rejects a forged one",
    { timeout: 60_000 },
    async () => {
      const letters = getServices().deadLetters;
      for (let n = 0; n < 3; n++) {
        await letters.record({
          queue: "booking-commands",
          messageId: `page-${n}`,
          reason: "precondition-failed",
          description: "No.",
          attempts: 1,
          failedAt: new Date(),
          body: { n },
        });
      }
      poisoned.add("cal-p1").add("cal-p2");
      const queue = getServices().workQueue;
      await queue.enqueue("calendar-changes", [
        { id: "cal-p1", body: { n: 1 } },
        { id: "cal-p2", body: { n: 2 } },
      ]);
      await eventually(() => bus.stats()["calendar-changes"]?.deadLettered === 2);

      const all = await listAll("", 2);
      expect(all.map((i) => i.messageId).sort()).toEqual(["cal-p1", "cal-p2", "page-0", "page-1", "page-2"]);
      expect(new Set(all.map((i) => i.id)).size).toBe(5);
      expect((await listAll("queue=calendar-changes", 1)).map((i) => i.messageId)).toEqual([
        "cal-p1",
        "cal-p2",
      ]);

      const forged = await s.call(admin, "GET", "/api/admin/dead-letters?continuation=bm9wZQ");
      expect(forged.status).toBe(400);
      expect((await s.call(admin, "GET", "/api/admin/dead-letters?limit=1000")).status).toBe(400);
      expect((await s.call(admin, "GET", "/api/admin/dead-letters?queue=elsewhere")).status).toBe(400);

      // The later broker letter first: the one before it is passed over, released and stays listed.
      poisoned.clear();
      const [first, second] = all.filter((i) => i.source === "broker");
      expect((await replay(second!.id)).status).toBe(200);
      await eventually(() => done.has("cal-p2"));
      expect(bus.stats()["calendar-changes"]).toMatchObject({ deadLettered: 1, locked: 0 });
      expect((await list("?queue=calendar-changes")).items.map((i) => i.id)).toEqual([first!.id]);
      for (const item of all.filter((i) => i !== second)) expect((await replay(item.id)).status).toBe(200);
      await eventually(() => ["cal-p1", "cal-p2", "page-0", "page-1", "page-2"].every((id) => done.has(id)));
      expect((await list()).items).toEqual([]);
    },
  );

  it("never shows message bodies: mail shows the recipient and template kind only", async () => {
    const letters = getServices().deadLetters;
    await letters.record({
      queue: "mail",
      messageId: "mail-secret-1",
      reason: "validation-failed",
      description: "The recipient's mailbox does not exist.",
      attempts: 1,
      failedAt: new Date(),
      body: {
        to: { email: "pat@contoso.example", name: "Pat Private" },
        template: {
          kind: "sign-in-required",
          link: "https://ones.example/app?token=SECRET-TOKEN-123",
          organizer: "boss@contoso.example",
        },
      },
    });
    await letters.record({
      queue: "booking-commands",
      messageId: "cmd-secret-1",
      reason: "precondition-failed",
      description: "No.",
      attempts: 1,
      failedAt: new Date(),
      body: { kind: "create", subject: "Secret merger talks", accessToken: "SECRET-TOKEN-456" },
    });
    const response = await s.call(admin, "GET", "/api/admin/dead-letters");
    const text = await response.text();
    for (const secret of ["SECRET-TOKEN", "Pat Private", "boss@contoso", "merger", "accessToken"])
      expect(text).not.toContain(secret);
    const { items } = JSON.parse(text) as Listing;
    expect(items.find((i) => i.messageId === "mail-secret-1")?.summary).toEqual({
      recipient: "pat@contoso.example",
      template: "sign-in-required",
    });
    expect(items.find((i) => i.messageId === "cmd-secret-1")?.summary).toEqual({ kind: "create" });
    await letters.remove("mail", "mail-secret-1");
    await letters.remove("booking-commands", "cmd-secret-1");
  });

  it("is for admins only", async () => {
    const staff = await s.signInAs("application", "staff");
    expect((await s.call(staff, "GET", "/api/admin/dead-letters")).status).toBe(403);
    expect((await replay("bus:mail:1", staff)).status).toBe(403);
    const anonymous = await fetch(`${s.stack.host.baseUrl}/api/admin/dead-letters`);
    expect(anonymous.status).toBe(401);
    admin = await s.signInAs("application");
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { DEMO_APPS } from "../../../dev/m365";
import { calendarChangesHandler } from "../../../functions/calendar-changes";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { TableDeadLetterStore } from "../../../shared/adapters/tables/table-dead-letter-store";
import { SUBSCRIPTIONS_TABLE } from "../../../shared/adapters/tables/table-room-subscriptions";
import { ROOM_SYNC_TABLE } from "../../../shared/adapters/tables/table-room-sync-state";
import { windowFrom } from "../../../shared/app/calendar/process-calendar-change";
import { mailboxId } from "../../../shared/domain/rooms/room";
import { eventually } from "../../support/eventually";
import { clearOfUtcMidnight, movedOn, testNow } from "../../support/clock";
import { peopleAt, utcAt } from "../m365/calendar-helpers";
import { appToken, graphFetch } from "../m365/helpers";
import { rows } from "../sync/harness";
import { clearTable, ROOMS, startOutlookStack, storeRooms, type OutlookStack } from "./harness";

/**
 * Room-calendar subscriptions and the notification intake with the real SDKs: the simulator makes
 * and delivers (handshake, notifications, lifecycle events) to the local host, the intake queues on
 * the local Service Bus, Azurite holds the rows. The app's clock is the test's.
 */
let s: OutlookStack;
const ROOM = mailboxId(ROOMS[0]);
const APP = DEMO_APPS.applicationPermission;

beforeAll(async () => {
  s = await startOutlookStack();
});
afterAll(async () => {
  await s.stop();
});
beforeEach(async () => {
  // Each test starts without subscriptions or room records (the rooms stay).
  s.sim.control.seed("demo");
  await clearTable(s.services.tables, SUBSCRIPTIONS_TABLE);
  await clearTable(s.services.tables, ROOM_SYNC_TABLE);
  s.clock = clearOfUtcMidnight();
  s.sim.control.notifications.setClock(undefined);
  s.sim.control.notifications.configure({ autoDeliver: false, maxExpirationMinutes: 10070 });
  s.sim.control.notifications.clearDeliveries();
  await s.receive(100, 300);
});

const simSubs = () => s.sim.control.notifications.subscriptions();
const subOfRoom = (email: string) => simSubs().find((x) => x.data.resource === `/users/${email}/events`);

async function subscribed(): Promise<void> {
  const counts = await s.calendar.maintainSubscriptions();
  expect(counts).not.toBe("not-applicable");
  await s.receive(100, 300);
}

/**
 * A meeting in the room in two days at `hour` UTC (before 16:00, when the demo tenant's own meetings in
 * the Seattle room begin in summer).
 */
function book(hour: number) {
  const organizer = peopleAt(s.sim, "fabrikam.example")[0]?.data.userPrincipalName as string;
  return s.sim.control.calendar.createMeeting({
    organizer,
    subject: "Planning",
    start: utcAt(s.sim, 2, hour),
    end: utcAt(s.sim, 2, hour, 30),
    rooms: [ROOMS[0]],
  });
}

describe("subscriptions", () => {
  it("one per active room, made through Graph's handshake on our endpoints, clientState stored only hashed", async () => {
    const counts = await s.calendar.maintainSubscriptions();
    expect(counts).toMatchObject({ created: 2, renewed: 0, recreated: 0, failed: 0 });
    const made = simSubs();
    expect(made.map((x) => x.data.resource).sort()).toEqual(ROOMS.map((r) => `/users/${r}/events`).sort());
    for (const sub of made) {
      expect(sub.data.notificationUrl).toBe(`${s.host.baseUrl}/api/graph/notifications`);
      expect(sub.data.lifecycleNotificationUrl).toBe(`${s.host.baseUrl}/api/graph/lifecycle`);
      expect(sub.data.changeType).toBe("created,updated,deleted");
      expect(sub.data.clientState).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    const stored = await rows(s.services.tables, SUBSCRIPTIONS_TABLE);
    expect(stored).toHaveLength(2);
    const secrets = new Set(made.map((x) => x.data.clientState));
    for (const row of stored) {
      expect(row.clientStateHash).toMatch(/^[0-9a-f]{64}$/);
      for (const value of Object.values(row)) expect(secrets.has(value as string)).toBe(false);
    }
    // Each new subscription asks for a full read of its room (changes before it were never notified).
    const resyncs = await s.receive(10);
    expect(resyncs.map((m) => [m.body.kind, m.body.roomId, m.body.reason]).sort()).toEqual(
      ROOMS.map((r) => ["room-resync", mailboxId(r), "subscription-created"]).sort(),
    );
    // A second run finds nothing to do.
    expect(await s.calendar.maintainSubscriptions()).toMatchObject({ created: 0, renewed: 0, unchanged: 2 });
  });

  it("an unrenewed subscription that expired is recreated by the timer", async () => {
    await subscribed();
    const old = subOfRoom(ROOMS[0])?.data.id;
    const later = testNow().getTime() + 4300 * 60_000;
    s.sim.control.notifications.setClock(() => later);
    s.clock = new Date(later);
    const counts = await s.calendar.maintainSubscriptions();
    expect(counts).toMatchObject({ recreated: 2, failed: 0 });
    const now = subOfRoom(ROOMS[0]);
    expect(now?.data.id).not.toBe(old);
    expect(Date.parse(now?.data.expirationDateTime ?? "")).toBe(later - (later % 1000) + 4200 * 60_000);
    const stored = await rows(s.services.tables, SUBSCRIPTIONS_TABLE);
    expect(stored.map((r) => r.rowKey).sort()).toEqual(
      simSubs()
        .map((x) => x.data.id)
        .sort(),
    );
  });

  it("renewal falls due at half the lifetime; a 404 on renewal recreates", async () => {
    await subscribed();
    const first = subOfRoom(ROOMS[0])?.data.id as string;
    const second = subOfRoom(ROOMS[1])?.data.id as string;
    // Graph lost the first room's subscription.
    const token = await appToken(s.sim, APP.clientId, APP.secret);
    expect((await graphFetch(s.sim, token, `/subscriptions/${first}`, { method: "DELETE" })).status).toBe(
      204,
    );
    const later = testNow().getTime() + 2200 * 60_000;
    s.sim.control.notifications.setClock(() => later);
    s.clock = new Date(later);
    const counts = await s.calendar.maintainSubscriptions();
    expect(counts).toMatchObject({ renewed: 1, recreated: 1, failed: 0 });
    expect(subOfRoom(ROOMS[1])?.data.id).toBe(second);
    expect(Date.parse(subOfRoom(ROOMS[1])?.data.expirationDateTime ?? "")).toBe(
      later - (later % 1000) + 4200 * 60_000,
    );
    expect(subOfRoom(ROOMS[0])?.data.id).not.toBe(first);
  });

  it("the rooms sync's follow-up: a room gone inactive loses its subscription, a new room gets one", async () => {
    await subscribed();
    const gone = subOfRoom(ROOMS[1])?.data.id as string;
    await storeRooms(s.services, [ROOMS[1]], { active: false });
    await s.calendar.roomsSynced.roomsSynced(s.clock);
    expect(simSubs().map((x) => x.data.id)).not.toContain(gone);
    expect(subOfRoom(ROOMS[0])).toBeDefined();
    const stored = await rows(s.services.tables, SUBSCRIPTIONS_TABLE);
    expect(stored.map((r) => r.roomId)).toEqual([ROOM]);
    const record = (await s.calendar.roomSyncStatus({ limit: 10 })).items.find(
      (r) => r.roomId === mailboxId(ROOMS[1]),
    );
    expect(record?.subscriptionState).toBe("not-applicable");
    // Back again: subscribed on the next follow-up.
    await storeRooms(s.services, [ROOMS[1]]);
    await s.calendar.roomsSynced.roomsSynced(s.clock);
    expect(subOfRoom(ROOMS[1])?.data.id).toMatch(/.+/);
    expect(subOfRoom(ROOMS[1])?.data.id).not.toBe(gone);
  });

  it("an expiry longer than Graph allows is retried with the maximum Graph names", async () => {
    s.sim.control.notifications.configure({ maxExpirationMinutes: 120 });
    // Graph's limit counts from Graph's time: the app's clock is Graph's here, not one moved on past
    // midnight by the set-up (then every expiry asked for would lie those minutes past the limit).
    s.clock = new Date(s.sim.control.clock.now());
    const counts = await s.calendar.maintainSubscriptions();
    expect(counts).toMatchObject({ failed: 0 });
    for (const sub of simSubs()) {
      const minutes = (Date.parse(sub.data.expirationDateTime) - s.sim.control.clock.now()) / 60_000;
      expect(minutes).toBeGreaterThan(117);
      expect(minutes).toBeLessThanOrEqual(119);
    }
  });
});

describe("intake", () => {
  it("answers the validation handshake with the decoded token as text/plain", async () => {
    const token = "Validation: Testing client application reachability for subscription Request-Id: 1 2";
    for (const path of ["/api/graph/notifications", "/api/graph/lifecycle"]) {
      const res = await fetch(`${s.host.baseUrl}${path}?validationToken=${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text()).toBe(token);
    }
  });

  it("a change in the room's calendar is answered 202 and queued as one message for the room", async () => {
    await subscribed();
    const a = book(9);
    const b = book(11);
    const delivered = await s.sim.control.notifications.flush();
    expect(delivered.map((d) => [d.outcome, d.status])).toEqual([["delivered", 202]]);
    const messages = await s.receive(10);
    expect(messages).toHaveLength(1);
    const body = messages[0]?.body;
    expect(body).toMatchObject({
      kind: "room-changed",
      roomId: ROOM,
      subscriptionId: subOfRoom(ROOMS[0])?.data.id,
      reason: "notification",
    });
    // The room's copies of the two meetings, each named once per change type.
    const uids = new Set([a.iCalUId, b.iCalUId]);
    const copies = s.sim.control.calendar
      .events(ROOMS[0])
      .filter((e) => uids.has(e.iCalUId))
      .map((e) => e.id as string);
    expect(copies).toHaveLength(2);
    const changes = body?.kind === "room-changed" ? body.changes : [];
    expect(
      changes
        .filter((c) => c.changeType === "created")
        .map((c) => c.eventId)
        .sort(),
    ).toEqual(copies.sort());
    expect(new Set(changes.map((c) => `${c.changeType}:${c.eventId}`)).size).toBe(changes.length);
  });

  it("one batch naming several subscriptions not yet cached: one message per room", async () => {
    await subscribed();
    const value = ROOMS.map((room, i) => {
      const sub = subOfRoom(room)?.data;
      return {
        subscriptionId: sub?.id,
        clientState: sub?.clientState,
        changeType: "updated",
        resource: `Users/x/Events/E${i}`,
        resourceData: { id: `E${i}` },
      };
    });
    expect((await s.post("/api/graph/notifications", { value })).status).toBe(202);
    const messages = await s.receive(10);
    expect(
      messages.map((m) => [m.body.roomId, m.body.kind === "room-changed" ? m.body.changes : []]).sort(),
    ).toEqual(
      ROOMS.map((room, i) => [mailboxId(room), [{ changeType: "updated", eventId: `E${i}` }]]).sort(),
    );
  });

  it("a wrong clientState or an unknown subscription is dropped: nothing queued, counted in the status", async () => {
    await subscribed();
    const sub = subOfRoom(ROOMS[0])?.data;
    const before = (await s.calendar.roomSyncStatus({ limit: 10 })).rejectedNotifications.counts;
    const notification = (subscriptionId: string, clientState: string) => ({
      subscriptionId,
      clientState,
      changeType: "created",
      resource: `Users/x/Events/AAA`,
      resourceData: { id: "AAA" },
    });
    const wrong = await s.post("/api/graph/notifications", {
      value: [notification(sub?.id ?? "", "not-the-secret")],
    });
    expect(wrong.status).toBe(202);
    const unknown = await s.post("/api/graph/notifications", {
      value: [notification("00000000-0000-0000-0000-000000000000", sub?.clientState ?? "")],
    });
    expect(unknown.status).toBe(202);
    const lifecycle = await s.post("/api/graph/lifecycle", {
      value: [{ subscriptionId: sub?.id, clientState: "nope", lifecycleEvent: "missed" }],
    });
    expect(lifecycle.status).toBe(202);
    expect(s.queued()).toBe(0);
    const after = (await s.calendar.roomSyncStatus({ limit: 10 })).rejectedNotifications.counts;
    expect(after["client-state-mismatch"] - before["client-state-mismatch"]).toBe(2);
    expect(after["unknown-subscription"] - before["unknown-subscription"]).toBe(1);
  });

  it("a duplicated batch queues the same message id, and reading it twice changes nothing more", async () => {
    await subscribed();
    s.sim.control.notifications.faults({ duplicateRate: 1, seed: 7 });
    try {
      book(13);
      const delivered = await s.sim.control.notifications.flush();
      expect(delivered.filter((d) => d.outcome === "delivered")).toHaveLength(1);
      expect(delivered[0]?.body.value).toHaveLength(2);
    } finally {
      s.sim.control.notifications.resetFaults();
    }
    // Graph delivering the same batch again.
    const [record] = s.sim.control.notifications.deliveries().filter((d) => d.kind === "change");
    expect((await s.post("/api/graph/notifications", record?.body)).status).toBe(202);
    const messages = await s.receive(10);
    expect(messages).toHaveLength(2);
    expect(messages[0]?.id).toBe(messages[1]?.id);
    const first = await s.calendar.processCalendarChange(messages[0]!.body);
    const again = await s.calendar.processCalendarChange(messages[1]!.body);
    expect(first).toMatchObject({ outcome: "read", full: true });
    expect(again).toEqual({ outcome: "read", full: false, events: 0, upserted: 0, removed: 0 });
  });
});

describe("lifecycle events", () => {
  it("missed → a full read of the room", async () => {
    await subscribed();
    const id = subOfRoom(ROOMS[0])?.data.id as string;
    s.sim.control.notifications.triggerLifecycle(id, "missed");
    await s.sim.control.notifications.flush();
    const [message] = await s.receive(5);
    expect(message?.body).toMatchObject({
      kind: "room-resync",
      roomId: ROOM,
      subscriptionId: id,
      reason: "missed",
    });
    expect(await s.calendar.processCalendarChange(message!.body)).toMatchObject({
      outcome: "read",
      full: true,
    });
  });

  it("subscriptionRemoved → a new subscription, then a full read", async () => {
    await subscribed();
    const id = subOfRoom(ROOMS[0])?.data.id as string;
    s.sim.control.notifications.triggerLifecycle(id, "subscriptionRemoved");
    await s.sim.control.notifications.flush();
    const [message] = await s.receive(5);
    expect(message?.body).toMatchObject({ kind: "subscription-recreate", roomId: ROOM, subscriptionId: id });
    expect(await s.calendar.processCalendarChange(message!.body)).toEqual({ outcome: "recreated" });
    const replaced = subOfRoom(ROOMS[0])?.data.id;
    expect(replaced).not.toBe(id);
    const stored = await rows(s.services.tables, SUBSCRIPTIONS_TABLE);
    expect(stored.map((r) => r.rowKey)).toContain(replaced);
    expect(stored.map((r) => r.rowKey)).not.toContain(id);
    const [resync] = await s.receive(5);
    expect(resync?.body).toMatchObject({
      kind: "room-resync",
      roomId: ROOM,
      reason: "subscription-recreated",
    });
  });

  it("reauthorizationRequired → renewed (which reauthorizes), then a full read", async () => {
    await subscribed();
    const sub = subOfRoom(ROOMS[0]);
    const id = sub?.data.id as string;
    s.sim.control.notifications.triggerLifecycle(id, "reauthorizationRequired");
    expect(subOfRoom(ROOMS[0])?.needsReauthorization).toBe(true);
    await s.sim.control.notifications.flush();
    const [message] = await s.receive(5);
    expect(message?.body).toMatchObject({
      kind: "subscription-reauthorize",
      roomId: ROOM,
      subscriptionId: id,
    });
    s.clock = movedOn(s.clock);
    expect(await s.calendar.processCalendarChange(message!.body)).toEqual({ outcome: "renewed" });
    expect(subOfRoom(ROOMS[0])?.needsReauthorization).toBe(false);
    expect(subOfRoom(ROOMS[0])?.data.id).toBe(id);
    const [resync] = await s.receive(5);
    expect(resync?.body).toMatchObject({ kind: "room-resync", roomId: ROOM, reason: "reauthorized" });
  });
});

describe("calendar-changes consumer on the local host", () => {
  it("reads the room after a notification and records it in the room's sync status", async () => {
    await subscribed();
    const deadLetters = new TableDeadLetterStore(s.services.tables);
    const consumer = await startHost({
      functions: [
        serviceBusFunction({
          name: "calendar-changes",
          queueName: "calendar-changes",
          handler: calendarChangesHandler({
            handle: (m, log) => s.calendar.processCalendarChange(m, log),
            queue: () => ({ workQueue: s.services.workQueue, deadLetters, now: () => new Date() }),
          }),
        }),
      ],
      port: 0,
      env: { SERVICEBUS: s.bus.connectionString },
      logger: memoryLogger(),
      timers: false,
    });
    try {
      const roomRecord = async () =>
        (await s.calendar.roomSyncStatus({ limit: 10 })).items.find((r) => r.roomId === ROOM);
      const settled = async (kind: "full" | "delta") => {
        await eventually(async () => (await roomRecord())?.lastReadKind === kind && s.queued() === 0, {
          explain: () => `queued ${s.queued()}`,
        });
        return roomRecord();
      };
      book(15);
      await s.sim.control.notifications.flush();
      // No delta position yet: the first read is a full one, of every event in the window.
      const first = await settled("full");
      expect(first?.lastNotificationAt).toBe(s.clock.toISOString());
      const window = windowFrom(s.clock, 180);
      const token = await appToken(s.sim, APP.clientId, APP.secret);
      const view = await graphFetch(
        s.sim,
        token,
        `/users/${ROOMS[0]}/calendarView?startDateTime=${window.start.toISOString()}&endDateTime=${window.end.toISOString()}&$top=1000`,
      );
      expect(first?.eventsRead).toBe(((await view.json()) as { value: unknown[] }).value.length);
      book(14);
      await s.sim.control.notifications.flush();
      const next = await settled("delta");
      expect(next).toMatchObject({
        roomId: ROOM,
        subscriptionState: "active",
        subscriptionId: subOfRoom(ROOMS[0])?.data.id,
        lastReadKind: "delta",
        eventsRead: 1,
      });
    } finally {
      await consumer.stop();
    }
  });
});

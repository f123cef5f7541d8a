import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@microsoft/microsoft-graph-client";
import type { Subscription } from "@microsoft/microsoft-graph-types";
import { DEMO_APPS, type RunningM365Simulator } from "../../../dev/m365";
import { appToken, demoAppToken, graphFetch, graphFor, startSim } from "./helpers";
import { peopleAt, userToken, utcAt, WebhookReceiver } from "./calendar-helpers";
import { eventually } from "../../support/eventually";

const M1 = DEMO_APPS.applicationPermission;
const M2 = DEMO_APPS.delegatedPermission;
const M4 = DEMO_APPS.applicationResourceOnly;
const ROOM = "room-tower-104@fabrikam.example";

type Err = { error: { code: string; message: string } };

describe("change notifications: subscriptions, handshake, delivery, lifecycle", () => {
  let sim: RunningM365Simulator;
  let token: string;
  let graph: Client;
  let hook: WebhookReceiver;
  let organizer: string;
  let roomId: string;

  beforeAll(async () => {
    sim = await startSim();
    token = await demoAppToken(sim);
    graph = graphFor(sim, async () => token);
    organizer = peopleAt(sim, "fabrikam.example")[0]?.data.userPrincipalName as string;
    roomId = sim.control.store.findUser(ROOM)?.id as string;
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(async () => {
    // Tests advance the simulator clock past token lifetimes: take a fresh token each time.
    token = await demoAppToken(sim);
    hook = await new WebhookReceiver().start();
    sim.control.notifications.configure({ autoDeliver: false });
    sim.control.notifications.clearDeliveries();
  });
  afterEach(async () => {
    for (const s of sim.control.notifications.subscriptions()) {
      await graphFetch(sim, token, `/subscriptions/${s.data.id}`, { method: "DELETE" });
    }
    sim.control.notifications.resetFaults();
    sim.control.notifications.configure({
      validationTimeoutMs: 10_000,
      maxExpirationMinutes: 10070,
      slowThresholdMs: 2900,
      slowSampleSize: 100,
      slowDropPercent: 15,
      deliveryTimeoutMs: 3_000,
    });
    await hook.stop();
  });

  const inMinutes = (m: number) => new Date(sim.control.clock.now() + m * 60_000).toISOString();

  function subscribe(extra: Partial<Subscription> = {}, t = token) {
    return graphFetch(sim, t, "/subscriptions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        changeType: "created,updated,deleted",
        notificationUrl: `${hook.url}/notify?code=abc`,
        lifecycleNotificationUrl: `${hook.url}/lifecycle`,
        resource: `/users/${ROOM}/events`,
        expirationDateTime: inMinutes(60 * 24),
        clientState: "secret-state",
        ...extra,
      }),
    });
  }

  function book(day: number, hour: number) {
    return sim.control.calendar.createMeeting({
      organizer,
      subject: "Sync",
      start: utcAt(sim, day, hour),
      end: utcAt(sim, day, hour, 30),
      rooms: [ROOM],
    });
  }

  it("validation handshake: decoded token echoed as text/plain, both URLs validated, clientState kept", async () => {
    const sub = (await graph.api("/subscriptions").post({
      changeType: "created,updated",
      notificationUrl: `${hook.url}/notify?code=abc`,
      lifecycleNotificationUrl: `${hook.url}/lifecycle`,
      resource: `/users/${ROOM}/events`,
      expirationDateTime: inMinutes(120),
      clientState: "secret-state",
    })) as Subscription;
    expect(sub).toMatchObject({
      resource: `/users/${ROOM}/events`,
      clientState: "secret-state",
      applicationId: M1.clientId,
      changeType: "created,updated",
    });
    expect(hook.validations.map((v) => v.path)).toEqual(["/notify", "/lifecycle"]);
    const v = hook.validations[0];
    expect(v?.query.get("code")).toBe("abc");
    expect(v?.query.get("validationToken")).toMatch(/^Validation: Testing client application reachability/);
    expect(v?.contentType).toContain("text/plain");
    const listed = (await graph.api("/subscriptions").get()) as { value: Subscription[] };
    expect(listed.value.map((s) => s.id)).toContain(sub.id);
  });

  it("handshake failures: encoded token, non-200, wrong type, timeout (also on renewal)", async () => {
    const expectFailure = async (message: string) => {
      const res = await subscribe();
      expect(res.status).toBe(400);
      expect(((await res.json()) as Err).error.message).toBe(message);
    };
    hook.validation = "encoded";
    await expectFailure(
      "Subscription validation request failed. Response must exactly match validationToken query parameter.",
    );
    hook.validation = "status500";
    await expectFailure(
      "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
    );
    hook.validation = "json";
    await expectFailure(
      "Subscription validation request failed. Response must exactly match validationToken query parameter.",
    );
    hook.validation = "echo";
    // The endpoint never answers while held, so the (short) validation timeout always fires.
    hook.holdValidation = true;
    sim.control.notifications.configure({ validationTimeoutMs: 100 });
    await expectFailure("Subscription validation request timed out.");

    hook.holdValidation = false;
    hook.release();
    const response = await subscribe();
    const created = (await response.json()) as Subscription;
    // OData answers a created entity with its address in Location (as Graph does for events).
    expect(response.headers.get("location")).toBe(`${sim.graphBaseUrl}/v1.0/subscriptions/${created.id}`);
    hook.holdValidation = true;
    const renew = await graphFetch(sim, token, `/subscriptions/${created.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ expirationDateTime: inMinutes(3000) }),
    });
    expect(renew.status).toBe(400);
    expect(((await renew.json()) as Err).error.message).toBe("Subscription validation request timed out.");
    hook.holdValidation = false;
    hook.release();
    const until = inMinutes(3000);
    const renewed = await graphFetch(sim, token, `/subscriptions/${created.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ expirationDateTime: until }),
    });
    expect(renewed.status).toBe(200);
    expect(((await renewed.json()) as Subscription).expirationDateTime).toBe(until);
  });

  it("maximum expiration (configurable) and the 45-minute minimum", async () => {
    const tooLong = await subscribe({ expirationDateTime: inMinutes(10071) });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as Err).error).toMatchObject({
      code: "ExtensionError",
      message: "Subscription expiration can only be 10070 minutes in the future.",
    });
    sim.control.notifications.configure({ maxExpirationMinutes: 4230 });
    const older = await subscribe({ expirationDateTime: inMinutes(5000) });
    expect(((await older.json()) as Err).error.message).toBe(
      "Subscription expiration can only be 4230 minutes in the future.",
    );
    // Frozen notification clock: the 45-minute minimum is exact.
    const frozen = sim.control.clock.now();
    sim.control.notifications.setClock(() => frozen);
    try {
      const short = (await (await subscribe({ expirationDateTime: inMinutes(5) })).json()) as Subscription;
      expect(short.expirationDateTime).toBe(new Date(frozen + 45 * 60_000).toISOString());
    } finally {
      sim.control.notifications.setClock(undefined);
    }
  });

  it("room processing produces batched change notifications with Graph's fields", async () => {
    const sub = (await (await subscribe()).json()) as Subscription;
    book(2, 1);
    book(2, 3);
    await sim.control.notifications.flush();
    expect(hook.notifications.filter((n) => n.path === "/notify")).toHaveLength(1);
    const items = hook.items();
    // The room accepts both bookings as they are made: one `created` each, nothing else yet.
    expect(items.map((n) => n.changeType)).toEqual(["created", "created"]);
    const created = items;
    const n = created[0] as Record<string, unknown> & { resourceData: Record<string, string> };
    expect(n).toMatchObject({
      subscriptionId: sub.id,
      clientState: "secret-state",
      tenantId: sim.tenantId,
      subscriptionExpirationDateTime: sub.expirationDateTime,
    });
    expect(n.resource).toBe(`Users/${roomId}/Events/${n.resourceData.id}`);
    expect(n.resourceData).toMatchObject({
      "@odata.type": "#Microsoft.Graph.Event",
      "@odata.id": n.resource,
    });
    const ev = await graphFetch(sim, token, `/users/${ROOM}/events/${n.resourceData.id}`);
    expect(ev.status).toBe(200);
  });

  it("failed deliveries are retried with backoff", async () => {
    await subscribe();
    hook.statusQueue = [500];
    book(3, 1);
    const first = await sim.control.notifications.flush();
    expect(first.map((d) => d.outcome)).toEqual(["failed"]);
    expect(await sim.control.notifications.flush()).toEqual([]);
    sim.control.advanceClock(10_000);
    const second = await sim.control.notifications.flush();
    expect(second.map((d) => [d.outcome, d.attempt])).toEqual([["delivered", 2]]);
  });

  it("slow endpoints are delayed, then dropped", async () => {
    await subscribe();
    // Slowness from timeouts only: a held endpoint always times out and a prompt one never counts as
    // slow (threshold above the timeout), so the outcome does not depend on how fast this machine is.
    sim.control.notifications.configure({
      deliveryTimeoutMs: 1_000,
      slowThresholdMs: 60_000,
      slowSampleSize: 3,
      slowDelayPercent: 10,
      slowDropPercent: 101,
    });
    hook.holdNotifications = true;
    for (let i = 0; i < 3; i++) {
      book(4, i + 1);
      expect((await sim.control.notifications.flush()).map((d) => d.outcome)).toEqual(["timeout"]);
    }
    const url = `${hook.url}/notify?code=abc`;
    expect(sim.control.notifications.endpointState(url).state).toBe("delayed");
    hook.holdNotifications = false;
    hook.release();
    book(4, 5);
    expect(await sim.control.notifications.flush()).toEqual([]);
    sim.control.advanceClock(10 * 60_000);
    sim.control.notifications.configure({ slowDropPercent: 15 });
    const later = await sim.control.notifications.flush();
    // The three timed-out batches are retried with the new one, all delivered now.
    expect(later.map((d) => [d.outcome, d.attempt])).toEqual([
      ["delivered", 2],
      ["delivered", 2],
      ["delivered", 2],
      ["delivered", 1],
    ]);

    // Four prompt deliveries in this window; one more timeout makes 1 in 5 slow (20 % ≥ 15 %), and from
    // then on the endpoint's notifications are dropped.
    hook.holdNotifications = true;
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      book(5, i + 1);
      outcomes.push(...(await sim.control.notifications.flush()).map((d) => d.outcome));
    }
    expect(outcomes).toEqual(["timeout", "dropped", "dropped"]);
    hook.holdNotifications = false;
    hook.release();
    expect(sim.control.notifications.endpointState(url).state).toBe("dropped");
    book(5, 6);
    const dropped = await sim.control.notifications.flush();
    expect(dropped.map((d) => [d.outcome, d.reason])).toEqual([["dropped", "slowEndpoint"]]);
  });

  it("lifecycle: reauthorizationRequired pauses delivery until reauthorized", async () => {
    const sub = (await (await subscribe()).json()) as Subscription;
    expect(sim.control.notifications.triggerLifecycle(sub.id as string, "reauthorizationRequired")).toBe(
      true,
    );
    book(6, 1);
    await sim.control.notifications.flush();
    const life = hook.items("/lifecycle");
    expect(life).toEqual([
      {
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: sub.expirationDateTime,
        tenantId: sim.tenantId,
        clientState: "secret-state",
        lifecycleEvent: "reauthorizationRequired",
      },
    ]);
    expect(hook.items()).toEqual([]);
    const re = await graphFetch(sim, token, `/subscriptions/${sub.id}/reauthorize`, { method: "POST" });
    expect(re.status).toBe(204);
    book(6, 3);
    await sim.control.notifications.flush();
    expect(hook.items().filter((n) => n.changeType === "created")).toHaveLength(1);
  });

  it("lifecycle: subscriptionRemoved removes the subscription; missed is sent when retries give up", async () => {
    const sub = (await (await subscribe()).json()) as Subscription;
    sim.control.notifications.triggerLifecycle(sub.id as string, "subscriptionRemoved");
    await sim.control.notifications.flush();
    expect(hook.items("/lifecycle").map((n) => n.lifecycleEvent)).toEqual(["subscriptionRemoved"]);
    expect((await graphFetch(sim, token, `/subscriptions/${sub.id}`)).status).toBe(404);

    const sub2 = (await (await subscribe()).json()) as Subscription;
    sim.control.notifications.triggerLifecycle(sub2.id as string, "missed");
    hook.status = 503;
    book(7, 1);
    await sim.control.notifications.flush();
    sim.control.advanceClock(4 * 3_600_000);
    hook.status = 202;
    await sim.control.notifications.flush();
    const events = hook.items("/lifecycle").map((n) => n.lifecycleEvent);
    expect(events.filter((e) => e === "missed")).toHaveLength(2);
  });

  it("faults: drop, duplicate and reorder are deterministic for a seed", async () => {
    await subscribe();
    sim.control.notifications.faults({ seed: 7, dropRate: 1 });
    book(8, 1);
    expect((await sim.control.notifications.flush()).length).toBe(0);
    expect(sim.control.notifications.deliveries().at(-1)?.outcome).toBe("dropped");
    sim.control.notifications.faults({ dropRate: 0, duplicateRate: 1 });
    hook.notifications.length = 0;
    book(8, 3);
    await sim.control.notifications.flush();
    const ids = hook.items().map((n) => (n.resourceData as { id: string }).id);
    expect(ids.length).toBe(new Set(ids).size * 2);

    // reorder: the batch arrives in reverse order of the changes.
    sim.control.notifications.faults({ duplicateRate: 0, reorder: true });
    hook.notifications.length = 0;
    const a = book(8, 5);
    const b = book(8, 7);
    await sim.control.notifications.flush();
    const uids = await Promise.all(
      hook.items().map(async (n) => {
        const ev = (await (
          await graphFetch(sim, token, `/users/${ROOM}/events/${(n.resourceData as { id: string }).id}`)
        ).json()) as { iCalUId: string };
        return ev.iCalUId;
      }),
    );
    expect(uids).toEqual([b.iCalUId, a.iCalUId]);
  });

  it("delegated tokens cannot subscribe to other mailboxes; mode 4 only to rooms", async () => {
    sim.control.grant(M2.clientId, {
      delegated: [
        "Calendars.ReadWrite",
        "Calendars.ReadWrite.Shared",
        "User.Read",
        "openid",
        "profile",
        "offline_access",
      ],
    });
    const facilities = [...sim.control.store.users.values()].find((u) => u.data.department === "Facilities")
      ?.data.userPrincipalName as string;
    const user = await userToken(sim, M2, facilities, ["Calendars.ReadWrite", "Calendars.ReadWrite.Shared"]);
    const own = await subscribe({ resource: "/me/events" }, user);
    expect(own.status).toBe(201);
    const room = await subscribe({}, user);
    expect(room.status).toBe(403);
    expect(((await room.json()) as Err).error.code).toBe("ErrorAccessDenied");
    await graphFetch(sim, user, `/subscriptions/${((await own.json()) as Subscription).id}`, {
      method: "DELETE",
    });

    const m4 = await appToken(sim, M4.clientId, M4.secret);
    const outOfScope = await subscribe({ resource: `/users/${organizer}/events` }, m4);
    expect(outOfScope.status).toBe(403);
    expect(((await outOfScope.json()) as Err).error.message).toBe("Access to OData is disabled.");
    const inScope = await subscribe({}, m4);
    expect(inScope.status).toBe(201);
    await graphFetch(sim, m4, `/subscriptions/${((await inScope.json()) as Subscription).id}`, {
      method: "DELETE",
    });
  });

  it("expired subscriptions disappear and notify nobody", async () => {
    const sub = (await (await subscribe({ expirationDateTime: inMinutes(60) })).json()) as Subscription;
    sim.control.advanceClock(61 * 60_000);
    token = await demoAppToken(sim);
    expect((await graphFetch(sim, token, `/subscriptions/${sub.id}`)).status).toBe(404);
    book(9, 1);
    const attempts = await sim.control.notifications.flush();
    expect(attempts).toEqual([]);
  });

  it("notification ids: each change notification has its own id, a duplicate repeats it", async () => {
    // changeNotification resource: "id — Unique ID for the notification." Graph delivers at least once, so a
    // redelivery (the duplicate fault) carries the same notification.
    await subscribe();
    sim.control.notifications.faults({ seed: 3, duplicateRate: 1 });
    book(11, 1);
    await sim.control.notifications.flush();
    const ids = hook.items().map((n) => n.id as string);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size * 2).toBe(ids.length);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(id))).toBe(true);
  });

  it("hold and release (control API over HTTP); a delay waits for the simulator clock", async () => {
    await subscribe();
    const put = await fetch(`${sim.graphBaseUrl}/_sim/notifications/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hold: true }),
    });
    expect(((await put.json()) as { hold: boolean }).hold).toBe(true);
    book(12, 1);
    expect(await sim.control.notifications.flush()).toEqual([]);
    expect(hook.items()).toEqual([]);
    const rel = await fetch(`${sim.graphBaseUrl}/_sim/notifications/release`, { method: "POST" });
    const released = ((await rel.json()) as { released: number }).released;
    expect(released).toBeGreaterThanOrEqual(1);
    await sim.control.notifications.flush();
    expect(hook.items()).toHaveLength(released);

    sim.control.notifications.faults({ hold: false, delayMs: 60_000 });
    hook.notifications.length = 0;
    book(12, 3);
    expect(await sim.control.notifications.flush()).toEqual([]);
    sim.control.advanceClock(60_000);
    await sim.control.notifications.flush();
    expect(hook.items().filter((n) => n.changeType === "created")).toHaveLength(1);
  });

  it("expiry on demand: the subscription ends silently and its renewal answers 404; lifecycle events on demand", async () => {
    // subscription-update: renew by PATCH expirationDateTime; an expired subscription is deleted by Graph,
    // so renewing it fails with 404 and the app must create a new one.
    const sub = (await (await subscribe()).json()) as Subscription;
    const exp = await fetch(`${sim.graphBaseUrl}/_sim/notifications/subscriptions/${sub.id}/expire`, {
      method: "POST",
    });
    expect(exp.status).toBe(200);
    const renew = await graphFetch(sim, token, `/subscriptions/${sub.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ expirationDateTime: inMinutes(120) }),
    });
    expect(renew.status).toBe(404);
    book(13, 1);
    expect(await sim.control.notifications.flush()).toEqual([]);
    expect(hook.items("/lifecycle")).toEqual([]);

    const sub2 = (await (await subscribe()).json()) as Subscription;
    const life = await fetch(`${sim.graphBaseUrl}/_sim/notifications/subscriptions/${sub2.id}/lifecycle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: "reauthorizationRequired" }),
    });
    expect(((await life.json()) as { sent: boolean }).sent).toBe(true);
    await sim.control.notifications.flush();
    expect(hook.items("/lifecycle")).toEqual([
      {
        subscriptionId: sub2.id,
        subscriptionExpirationDateTime: sub2.expirationDateTime,
        tenantId: sim.tenantId,
        clientState: "secret-state",
        lifecycleEvent: "reauthorizationRequired",
      },
    ]);
  });

  it("automatic delivery without flush", async () => {
    sim.control.notifications.configure({ autoDeliver: true });
    await subscribe();
    book(10, 1);
    await eventually(() => hook.items().some((n) => n.changeType === "created"), {
      timeoutMs: 10_000,
      explain: () => `received ${JSON.stringify(hook.items().map((n) => n.changeType))}`,
    });
    expect(hook.items().filter((n) => n.changeType === "created")).toHaveLength(1);
    sim.control.notifications.configure({ autoDeliver: false });
  });
});

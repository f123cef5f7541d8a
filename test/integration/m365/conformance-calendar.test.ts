import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { demoAppToken, graphFetch, startSim } from "./helpers";
import { validateShape } from "./graph-shape";
import { peopleAt, utcAt, WebhookReceiver } from "./calendar-helpers";

type Json = Record<string, unknown>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(resolve(__dirname, "../../fixtures/graph", name), "utf8")) as Json;

/** Every property of the documented example is present in the simulator's payload, with the same JSON kind. */
function sameShape(example: Json, actual: Json, path = "", tolerated: string[] = []): string[] {
  const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  const problems: string[] = [];
  for (const [k, v] of Object.entries(example)) {
    if (tolerated.includes(k)) continue;
    if (!(k in actual)) {
      problems.push(`${path}${k}: missing`);
      continue;
    }
    const a = actual[k];
    if (v === null || a === null) continue;
    if (kind(v) !== kind(a)) problems.push(`${path}${k}: ${kind(a)} instead of ${kind(v)}`);
    else if (kind(v) === "object")
      problems.push(...sameShape(v as Json, a as Json, `${path}${k}.`, tolerated));
    else if (
      kind(v) === "array" &&
      (v as unknown[])[0] &&
      (a as unknown[])[0] &&
      kind((v as unknown[])[0]) === "object"
    ) {
      problems.push(
        ...sameShape((v as Json[])[0] as Json, (a as Json[])[0] as Json, `${path}${k}[0].`, tolerated),
      );
    }
  }
  return problems;
}

describe("conformance: calendars, schedules, subscriptions and notifications", () => {
  let sim: RunningM365Simulator;
  let token: string;
  let hook: WebhookReceiver;
  const room = "room-tower-105@fabrikam.example";
  let organizer: string;
  let single: Json;
  let master: Json;

  const post = async (path: string, body: unknown) => {
    const res = await graphFetch(sim, token, path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return (await res.json()) as Json;
  };
  const get = async (path: string) => {
    const res = await graphFetch(sim, token, path);
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    sim = await startSim();
    token = await demoAppToken(sim);
    hook = await new WebhookReceiver().start();
    sim.control.notifications.configure({ autoDeliver: false });
    organizer = peopleAt(sim, "fabrikam.example")[0]?.data.userPrincipalName as string;
    await post("/subscriptions", {
      changeType: "created,updated,deleted",
      notificationUrl: `${hook.url}/notify`,
      lifecycleNotificationUrl: `${hook.url}/lifecycle`,
      resource: `/users/${room}/events`,
      expirationDateTime: new Date(sim.control.clock.now() + 3_600_000).toISOString(),
      clientState: "conformance",
    });
    const attendees = [{ type: "resource", emailAddress: { address: room } }];
    single = await post(`/users/${organizer}/events`, {
      subject: "Conformance",
      body: { contentType: "html", content: "<p>hello</p>" },
      start: { dateTime: utcAt(sim, 5, 2), timeZone: "UTC" },
      end: { dateTime: utcAt(sim, 5, 3), timeZone: "UTC" },
      location: { displayName: "Room", locationEmailAddress: room },
      attendees,
      transactionId: "c0ffee00-0000-4000-8000-000000000001",
    });
    const start = utcAt(sim, 6, 2);
    master = await post(`/users/${organizer}/events`, {
      subject: "Series",
      start: { dateTime: start, timeZone: "Pacific Standard Time" },
      end: { dateTime: utcAt(sim, 6, 3), timeZone: "Pacific Standard Time" },
      attendees,
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday", "wednesday", "friday"] },
        range: { type: "endDate", startDate: start.slice(0, 10), endDate: utcAt(sim, 20, 0).slice(0, 10) },
      },
    });
  });
  afterAll(async () => {
    await hook.stop();
    await sim.stop();
  });

  it("events: single with attendees, series master with recurrence, occurrences and an exception", async () => {
    const list = (await get(`/users/${organizer}/events?$top=50`)).value as Json[];
    const instances = (
      await get(
        `/users/${organizer}/events/${String(master.id)}/instances?startDateTime=${utcAt(sim, 5, 0)}Z&endDateTime=${utcAt(sim, 21, 0)}Z`,
      )
    ).value as Json[];
    const exception = await (
      await graphFetch(sim, token, `/users/${organizer}/events/${String(instances[1]?.id)}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ subject: "Exception" }),
      })
    ).json();
    const roomView = (
      await get(
        `/users/${room}/calendarView?startDateTime=${utcAt(sim, 5, 0)}Z&endDateTime=${utcAt(sim, 21, 0)}Z&$top=100`,
      )
    ).value as Json[];
    const all = [single, master, ...list, ...instances, exception as Json, ...roomView];
    expect(new Set(all.map((e) => e.type))).toEqual(
      new Set(["singleInstance", "seriesMaster", "occurrence", "exception"]),
    );
    expect(all.flatMap((e) => validateShape("microsoft.graph.event", e))).toEqual([]);
    expect(sameShape(fixture("event.json"), single)).toEqual([]);
    expect(sameShape(fixture("event-series-master.json"), master)).toEqual([]);
  });

  it("calendarView/delta pages", async () => {
    const page = await get(
      `/users/${room}/calendarView/delta?startDateTime=${utcAt(sim, 5, 0)}Z&endDateTime=${utcAt(sim, 7, 0)}Z`,
    );
    const items = page.value as Json[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.flatMap((e) => validateShape("microsoft.graph.event", e))).toEqual([]);
  });

  it("getSchedule", async () => {
    const res = await post(`/users/${organizer}/calendar/getSchedule`, {
      schedules: [room, organizer],
      startTime: { dateTime: utcAt(sim, 5, 0), timeZone: "UTC" },
      endTime: { dateTime: utcAt(sim, 6, 0), timeZone: "UTC" },
      availabilityViewInterval: 60,
    });
    const value = res.value as Json[];
    expect(value.flatMap((s) => validateShape("microsoft.graph.scheduleInformation", s))).toEqual([]);
    expect(sameShape(fixture("schedule-information.json"), res)).toEqual([]);
  });

  it("subscriptions", async () => {
    const subs = (await get("/subscriptions")).value as Json[];
    const one = await get(`/subscriptions/${String(subs[0]?.id)}`);
    expect([...subs, one].flatMap((s) => validateShape("microsoft.graph.subscription", s))).toEqual([]);
    expect(sameShape(fixture("subscription.json"), one, "", ["notificationContentType"])).toEqual([]);
    const example = fixture("subscription.json");
    delete example.notificationContentType;
    expect(validateShape("microsoft.graph.subscription", example)).toEqual([]);
  });

  it("change and lifecycle notifications", async () => {
    const subs = (await get("/subscriptions")).value as Json[];
    sim.control.notifications.triggerLifecycle(subs[0]?.id as string, "missed");
    await sim.control.notifications.flush();
    const changes = hook.notifications
      .filter((n) => n.path === "/notify")
      .map((n) => n.json as unknown as Json);
    const lifecycle = hook.notifications
      .filter((n) => n.path === "/lifecycle")
      .map((n) => n.json as unknown as Json);
    expect(changes.length).toBeGreaterThan(0);
    expect(lifecycle.length).toBe(1);
    for (const body of [...changes, ...lifecycle]) {
      // resourceData is an open type: its members are checked against the documented example instead.
      const stripped = {
        ...body,
        value: (body.value as Json[]).map(({ resourceData: _r, ...rest }) => rest),
      };
      expect(validateShape("microsoft.graph.changeNotificationCollection", stripped)).toEqual([]);
    }
    expect(sameShape(fixture("change-notification-collection.json"), changes[0] as Json)).toEqual([]);
    expect(sameShape(fixture("lifecycle-notification-collection.json"), lifecycle[0] as Json)).toEqual([]);
  });

  it("the documented examples themselves conform to the v1.0 shapes", () => {
    expect(validateShape("microsoft.graph.event", fixture("event.json"))).toEqual([]);
    expect(validateShape("microsoft.graph.event", fixture("event-series-master.json"))).toEqual([]);
    for (const s of fixture("schedule-information.json").value as Json[])
      expect(validateShape("microsoft.graph.scheduleInformation", s)).toEqual([]);
    expect(
      validateShape(
        "microsoft.graph.changeNotificationCollection",
        fixture("lifecycle-notification-collection.json"),
      ),
    ).toEqual([]);
  });
});

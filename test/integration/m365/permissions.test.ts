import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_APPS,
  startM365Simulator,
  type RunningM365Simulator,
  type SimulatorModule,
} from "../../../dev/m365";
import { checkMailboxAccess } from "../../../dev/m365/auth/permissions";
import { CA_DIR, appToken, graphFetch } from "./helpers";
import { userToken } from "./calendar-helpers";

/** A stand-in calendar route using the helpers the calendar module will use. */
const probe: SimulatorModule = {
  name: "probe",
  register(router) {
    router.graph("GET", "/users/{id}/probeCalendar", (ctx) => {
      const mailbox = checkMailboxAccess(ctx, ctx.params.id ?? "", "read");
      ctx.sim.throttle.acquire(ctx, mailbox.id);
      return { status: 200, body: { mailbox: mailbox.id } };
    });
    router.graph("POST", "/users/{id}/probeCalendar", (ctx) => {
      const mailbox = checkMailboxAccess(ctx, ctx.params.id ?? "", "write");
      return { status: 201, body: { mailbox: mailbox.id } };
    });
  },
};

const MODES = {
  m1: DEMO_APPS.applicationPermission,
  m2: DEMO_APPS.delegatedPermission,
  m3: DEMO_APPS.delegatedResourceOnly,
  m4: DEMO_APPS.applicationResourceOnly,
};

describe("permissions: tokens, roles, scopes and mailbox access", () => {
  let sim: RunningM365Simulator;
  const room = "room-hq-101@contoso.example";
  let person: string;

  beforeAll(async () => {
    sim = await startM365Simulator({ caDir: CA_DIR, seed: "demo", modules: [probe] });
    person = [...sim.control.store.users.values()].find(
      (u) => !u.isRoomMailbox && u.data.department !== "Facilities",
    )?.data.userPrincipalName as string;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("401 InvalidAuthenticationToken: missing, malformed, foreign-signed and expired tokens", async () => {
    const none = await graphFetch(sim, undefined, "/users");
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "InvalidAuthenticationToken",
      message: "Access token is empty.",
    });
    expect(none.headers.get("www-authenticate")).toContain("Bearer");

    const garbage = await graphFetch(sim, "abc.def", "/users");
    expect(garbage.status).toBe(401);

    const other = await startM365Simulator({ caDir: CA_DIR, seed: "demo" });
    const foreign = await appToken(other, MODES.m1.clientId, MODES.m1.secret);
    await other.stop();
    const wrongKey = await graphFetch(sim, foreign, "/users");
    expect(wrongKey.status).toBe(401);

    const token = await appToken(sim, MODES.m1.clientId, MODES.m1.secret);
    expect((await graphFetch(sim, token, "/users?$top=1")).status).toBe(200);
    sim.control.expireAccessTokens();
    const expired = await graphFetch(sim, token, "/users?$top=1");
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toContain("expired");
  });

  it("mode 4 (application, resource only): no directory read, places yes, room calendars only", async () => {
    const token = await appToken(sim, MODES.m4.clientId, MODES.m4.secret);
    const users = await graphFetch(sim, token, "/users");
    expect(users.status).toBe(403);
    expect(((await users.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
    });
    expect((await graphFetch(sim, token, "/groups/delta")).status).toBe(403);
    expect((await graphFetch(sim, token, "/places/microsoft.graph.room")).status).toBe(200);
    expect((await graphFetch(sim, token, `/users/${room}/probeCalendar`)).status).toBe(200);
    const other = await graphFetch(sim, token, `/users/${person}/probeCalendar`);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "ErrorAccessDenied",
      message: "Access to OData is disabled.",
    });
  });

  it("mode 1 (application): everything; an application access policy narrows calendars to its group", async () => {
    const token = await appToken(sim, MODES.m1.clientId, MODES.m1.secret);
    expect((await graphFetch(sim, token, `/users/${person}/probeCalendar`)).status).toBe(200);
    expect((await graphFetch(sim, token, "/users/delta")).status).toBe(200);
    const roomsGroup = [...sim.control.store.groups.values()].find(
      (g) => g.data.displayName === "Room mailboxes",
    );
    sim.control.addApplicationAccessPolicy({
      appId: MODES.m1.clientId,
      accessRight: "RestrictAccess",
      groupId: roomsGroup?.id ?? "",
    });
    expect((await graphFetch(sim, token, `/users/${room}/probeCalendar`)).status).toBe(200);
    const denied = await graphFetch(sim, token, `/users/${person}/probeCalendar`);
    expect(denied.status).toBe(403);
    sim.control.store.applicationAccessPolicies.length = 0;
  });

  it("an app without calendar permission gets 403 ErrorAccessDenied on mailboxes", async () => {
    const reg = sim.control.registerApp({
      displayName: "directory only",
      secrets: ["x"],
      applicationPermissions: ["User.Read.All"],
    });
    const token = await appToken(sim, reg.clientId, "x");
    const res = await graphFetch(sim, token, `/users/${room}/probeCalendar`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string; message: string } }).error.message).toBe(
      "Access is denied. Check credentials and try again.",
    );
    expect((await graphFetch(sim, token, "/groups")).status).toBe(403);
  });

  it("modes 2 and 3 (delegated): own mailbox, rooms only with folder rights; no directory or places", async () => {
    const facilities = [...sim.control.store.users.values()].find((u) => u.data.department === "Facilities")
      ?.data.userPrincipalName as string;
    for (const mode of [MODES.m2, MODES.m3]) {
      const plain = await userToken(sim, mode, person, ["Calendars.ReadWrite.Shared"]);
      expect((await graphFetch(sim, plain, `/users/${person}/probeCalendar`)).status).toBe(200);
      expect((await graphFetch(sim, plain, `/users/${room}/probeCalendar`)).status).toBe(403);
      expect((await graphFetch(sim, plain, "/users")).status).toBe(403);
      expect((await graphFetch(sim, plain, "/places/microsoft.graph.room")).status).toBe(403);
      const delegate = await userToken(sim, mode, facilities, ["Calendars.ReadWrite.Shared"]);
      expect(
        (await graphFetch(sim, delegate, `/users/${room}/probeCalendar`, { method: "POST" })).status,
      ).toBe(201);
    }
    sim.control.setCalendarPermission(room, person, "read");
    const reader = await userToken(sim, MODES.m2, person, ["Calendars.ReadWrite.Shared"]);
    expect((await graphFetch(sim, reader, `/users/${room}/probeCalendar`)).status).toBe(200);
    expect((await graphFetch(sim, reader, `/users/${room}/probeCalendar`, { method: "POST" })).status).toBe(
      403,
    );
  });

  it("/me works only for delegated tokens", async () => {
    const app = await appToken(sim, MODES.m1.clientId, MODES.m1.secret);
    expect((await graphFetch(sim, app, "/me")).status).toBe(400);
    const user = await userToken(sim, MODES.m2, person, ["User.Read"]);
    const me = (await (await graphFetch(sim, user, "/me")).json()) as { userPrincipalName: string };
    expect(me.userPrincipalName).toBe(person);
  });

  it("the probe module throttles at 4 concurrent requests per app and mailbox", async () => {
    const token = await appToken(sim, MODES.m1.clientId, MODES.m1.secret);
    sim.control.faults.configure({ latencyMs: [150, 150], pathPrefix: "/users/" });
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => graphFetch(sim, token, `/users/${room}/probeCalendar`)),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      const throttled = results.find((r) => r.status === 429);
      expect(throttled?.headers.get("retry-after")).toBe("1");
      expect(((await throttled?.json()) as { error: { code: string; message: string } }).error).toMatchObject(
        {
          code: "ApplicationThrottled",
          message: "Application is over its MailboxConcurrency limit.",
        },
      );
      // Other mailboxes are not affected.
      const mixed = await Promise.all(
        [
          room,
          "room-hq-102@contoso.example",
          "room-hq-103@contoso.example",
          "room-hq-104@contoso.example",
          "room-hq-105@contoso.example",
        ].map((m) => graphFetch(sim, token, `/users/${m}/probeCalendar`)),
      );
      expect(mixed.every((r) => r.status === 200)).toBe(true);
    } finally {
      sim.control.faults.reset();
    }
  });
});

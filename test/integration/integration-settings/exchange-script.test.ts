import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminStack, type AdminStack } from "./helpers";
import { startSyncQueue, syncSettled } from "./sync-queue";

/**
 * GET /api/admin/integration/exchange-script: the generated PowerShell names this deployment's app and
 * the rooms ONES synced; the resource-only application mode needs the service principal's object id.
 */
let s: AdminStack;
let queue: { stop(): Promise<void> };
const servicePrincipalId = "6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

beforeAll(async () => {
  s = await startAdminStack();
  queue = await startSyncQueue();
});
afterAll(async () => {
  await queue.stop();
  await s.stack.stop();
});

const activeRoomEmails = (): string[] =>
  [...s.stack.sim.control.store.users.values()].filter((u) => u.isRoomMailbox).map((u) => u.data.mail ?? "");

describe("the Exchange script endpoint", () => {
  it(
    "needs rooms first, then scopes the resource-only app to every synced room",
    { timeout: 60_000 },
    async () => {
      const jar = await s.signInAs("application-resource-only");
      const url = `/api/admin/integration/exchange-script?servicePrincipalId=${servicePrincipalId}`;

      const early = await s.call(jar, "GET", url);
      expect(early.status).toBe(412);

      expect([200, 202]).toContain((await s.call(jar, "POST", "/api/admin/sync/rooms")).status);
      // Run now is queued (sync-run): wait for the run to end.
      await syncSettled(s, jar, "rooms");
      const response = await s.call(jar, "GET", url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(response.headers.get("content-disposition")).toContain("ones-exchange-setup.ps1");
      const script = await response.text();
      expect(script).toContain("New-ManagementScope");
      expect(script).toContain(servicePrincipalId);
      expect(script).toContain("Application Calendars.ReadWrite");
      const rooms = activeRoomEmails().filter((e) => e !== "");
      expect(rooms.length).toBeGreaterThan(0);
      for (const email of rooms) expect(script).toContain(email);
    },
  );

  it("names the missing service principal id in the resource-only mode", async () => {
    const jar = await s.signInAs("application-resource-only");
    const response = await s.call(jar, "GET", "/api/admin/integration/exchange-script");
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toEqual(["servicePrincipalObjectId"]);
  });

  it("gives the other modes calendar processing without a scope, and refuses staff", async () => {
    const jar = await s.signInAs("application");
    const script = await (
      await s.call(jar, "GET", "/api/admin/integration/exchange-script?bookingWindowInDays=90")
    ).text();
    expect(script).not.toContain("New-ManagementScope");
    expect(script).toContain("Set-CalendarProcessing");
    expect(script).toContain("-BookingWindowInDays 90");
    const staff = await s.signInAs("application", "staff");
    expect((await s.call(staff, "GET", "/api/admin/integration/exchange-script")).status).toBe(403);
  });

  it("takes an empty query value as not given (the default), never as 0", async () => {
    const jar = await s.signInAs("application");
    const script = async (query: string): Promise<string> => {
      const response = await s.call(jar, "GET", `/api/admin/integration/exchange-script?${query}`);
      expect(response.status).toBe(200);
      return response.text();
    };
    const defaults = await script("");
    expect(await script("bookingWindowInDays=&maximumDurationInMinutes=")).toBe(defaults);
    expect(await script("bookingWindowInDays=%20&maximumDurationInMinutes=")).toBe(defaults);
    expect(defaults).not.toContain("-BookingWindowInDays 0 ");
    expect(defaults).not.toContain("-MaximumDurationInMinutes 0 ");
    const bad = await s.call(jar, "GET", "/api/admin/integration/exchange-script?bookingWindowInDays=abc");
    expect(bad.status).toBe(400);
  });
});

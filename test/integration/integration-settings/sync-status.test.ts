import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminStack, type AdminStack } from "./helpers";
import { startSyncQueue, syncSettled } from "./sync-queue";

/**
 * The admin's sync page over HTTP: run now (queued on `sync-run`, run by its consumer on the local
 * host and broker), then see state, counts, duration and what the mode leaves out.
 */
let s: AdminStack;
let queue: { stop(): Promise<void> };
beforeAll(async () => {
  s = await startAdminStack();
  queue = await startSyncQueue();
});
afterAll(async () => {
  await queue.stop();
  await s.stack.stop();
});

const settled = (jar: Parameters<AdminStack["call"]>[0], kind: string) =>
  syncSettled<KindReport>(s, jar, kind);

interface KindReport {
  kind: string;
  state: string;
  available: boolean;
  counts?: Record<string, number>;
  durationMs?: number;
  lastSuccessAt?: string;
  startedAt?: string;
  finishedAt?: string;
  unavailable: { part: string; permissions: string[] }[];
}

describe("GET /api/admin/sync", () => {
  it(
    "reports a rooms run and the directory the resource-only mode cannot read",
    { timeout: 60_000 },
    async () => {
      const jar = await s.signInAs("application-resource-only");
      const before = (await (await s.call(jar, "GET", "/api/admin/sync")).json()) as {
        mode: string;
        kinds: KindReport[];
      };
      expect(before.mode).toBe("application-resource-only");
      expect(before.kinds.find((k) => k.kind === "rooms")?.state).toBe("never-run");

      const run = await s.call(jar, "POST", "/api/admin/sync/rooms");
      expect([200, 202]).toContain(run.status);
      const answer = (await run.json()) as { outcome: string; requestId?: string };
      if (run.status === 202) {
        expect(run.headers.get("location")).toBe("/api/admin/sync");
        expect(["requested", "already-running"]).toContain(answer.outcome);
      } else expect(answer.outcome).toBe("succeeded");
      const report = await settled(jar, "rooms");
      const rooms = report.kinds.find((k) => k.kind === "rooms");
      expect(rooms).toMatchObject({ state: "succeeded", available: true });
      expect(rooms?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(rooms?.lastSuccessAt).toBe(rooms?.finishedAt);
      expect(rooms?.durationMs).toBe(
        Date.parse(rooms?.finishedAt ?? "") - Date.parse(rooms?.startedAt ?? ""),
      );
      expect(Object.values(rooms?.counts ?? {}).some((n) => n > 0)).toBe(true);

      const directory = report.kinds.find((k) => k.kind === "directory");
      expect(directory?.available).toBe(false);
      expect(directory?.unavailable.flatMap((u) => u.permissions)).toContain("User.Read.All");

      const refused = await s.call(jar, "POST", "/api/admin/sync/directory");
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { type: string }).type).toBe(
        "urn:ones:problem:not-available-in-mode",
      );
      const unknown = await s.call(jar, "POST", "/api/admin/sync/everything");
      expect(unknown.status).toBe(400);
    },
  );

  it("is for admins only", async () => {
    const staff = await s.signInAs("application", "staff");
    expect((await s.call(staff, "GET", "/api/admin/sync")).status).toBe(403);
    expect((await s.call(staff, "POST", "/api/admin/sync/rooms")).status).toBe(403);
    expect((await s.call(staff, "GET", "/api/admin/buildings")).status).toBe(403);
    expect((await s.call(staff, "PUT", "/api/admin/buildings/contoso-hq", { timeZone: "UTC" })).status).toBe(
      403,
    );
  });
});

describe("GET/PUT /api/admin/buildings", () => {
  it(
    "lists the buildings of the synced rooms and sets a zone (validated, Windows names mapped)",
    { timeout: 60_000 },
    async () => {
      const jar = await s.signInAs("application");
      const run = await s.call(jar, "POST", "/api/admin/sync/rooms");
      expect([200, 202]).toContain(run.status);
      await settled(jar, "rooms");
      const list = (await (await s.call(jar, "GET", "/api/admin/buildings")).json()) as {
        buildings: { id: string; name: string; timeZone: string | null; rooms: number }[];
      };
      const hq = list.buildings.find((b) => b.id === "contoso-hq");
      expect(hq).toMatchObject({ name: "Contoso HQ", timeZone: null });
      expect(hq?.rooms).toBeGreaterThan(0);

      const bad = await s.call(jar, "PUT", "/api/admin/buildings/contoso-hq", { timeZone: "Mars/Olympus" });
      expect(bad.status).toBe(400);
      const problem = (await bad.json()) as { errors?: { path: string }[] };
      expect(problem.errors?.map((f) => f.path)).toEqual(["timeZone"]);
      expect((await s.call(jar, "PUT", "/api/admin/buildings/contoso-hq", {})).status).toBe(400);
      expect((await s.call(jar, "PUT", "/api/admin/buildings/nowhere", { timeZone: "UTC" })).status).toBe(
        404,
      );

      const put = await s.call(jar, "PUT", "/api/admin/buildings/contoso-hq", {
        timeZone: "Tokyo Standard Time",
      });
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({ id: "contoso-hq", timeZone: "Asia/Tokyo" });
      const after = (await (await s.call(jar, "GET", "/api/admin/buildings")).json()) as typeof list;
      expect(after.buildings.find((b) => b.id === "contoso-hq")?.timeZone).toBe("Asia/Tokyo");
    },
  );
});

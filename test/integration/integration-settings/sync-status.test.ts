import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminStack, type AdminStack } from "./helpers";

/** The admin's sync page over HTTP: run now, then see state, counts, duration and what the mode leaves out. */
let s: AdminStack;
beforeAll(async () => {
  s = await startAdminStack();
});
afterAll(async () => s.stack.stop());

interface KindReport {
  kind: string;
  state: string;
  available: boolean;
  counts?: Record<string, number>;
  durationMs?: number;
  lastSuccessAt?: string;
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
      const report = (await (await s.call(jar, "GET", "/api/admin/sync")).json()) as { kinds: KindReport[] };
      const rooms = report.kinds.find((k) => k.kind === "rooms");
      expect(rooms).toMatchObject({ state: "succeeded", available: true });
      expect(rooms?.lastSuccessAt).toBeDefined();
      expect(rooms?.durationMs).toBeGreaterThanOrEqual(0);
      expect(Object.values(rooms?.counts ?? {}).some((n) => n > 0)).toBe(true);

      const directory = report.kinds.find((k) => k.kind === "directory");
      expect(directory?.available).toBe(false);
      expect(directory?.unavailable.flatMap((u) => u.permissions)).toContain("User.Read.All");

      const refused = await s.call(jar, "POST", "/api/admin/sync/directory");
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      const unknown = await s.call(jar, "POST", "/api/admin/sync/everything");
      expect(unknown.status).toBe(400);
    },
  );

  it("is for admins only", async () => {
    const staff = await s.signInAs("application", "staff");
    expect((await s.call(staff, "GET", "/api/admin/sync")).status).toBe(403);
    expect((await s.call(staff, "POST", "/api/admin/sync/rooms")).status).toBe(403);
  });
});

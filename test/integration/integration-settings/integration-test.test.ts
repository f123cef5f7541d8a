import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IntegrationTestReport } from "../../../shared/domain/integration/permission-report";
import { integrationModes, type IntegrationMode } from "../../../shared/domain/integration/modes";
import { generateKey } from "../../../shared/adapters/crypto/aes-gcm-secret-box";
import { getServices, resetServices } from "../../../shared/composition/services";
import { resetSettings } from "../../../shared/config";
import { appOfMode, startAdminStack, withdrawPermission, type AdminStack } from "./helpers";

/**
 * POST /api/admin/integration/test and GET/PUT /api/admin/integration against the simulator's demo
 * app registrations (one per mode), with the real MSAL and a real sign-in of an admin.
 */
let s: AdminStack;
const restore: (() => void)[] = [];

beforeAll(async () => {
  s = await startAdminStack();
});
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
});
afterAll(async () => {
  await s.stack.stop();
});

/** Removes one permission from a demo app until the end of the test. */
function withdraw(mode: IntegrationMode, permission: string): void {
  restore.push(withdrawPermission(s.stack, mode, permission));
}

const putBody = (mode: IntegrationMode, extra: Record<string, unknown> = {}) => ({
  name: "Contoso",
  cloud: "global",
  tenantId: s.stack.sim.tenantId,
  clientId: appOfMode[mode].clientId,
  clientSecret: appOfMode[mode].secret,
  secretExpiresAt: "2027-03-31",
  mode,
  adminGroupId: s.admin.groupId,
  adminEmails: ["it@contoso.example"],
  ...extra,
});

describe("each mode against its own registration", () => {
  it.each(integrationModes)("%s passes the test call", async (mode) => {
    const jar = await s.signInAs(mode);
    const response = await s.call(jar, "POST", "/api/admin/integration/test");
    expect(response.status).toBe(200);
    const report = (await response.json()) as IntegrationTestReport;
    expect(report).toMatchObject({ mode, ok: true, credentials: { ok: true }, missing: [], unavailable: [] });
    expect(report.redirectUri).toBe(`${s.stack.host.baseUrl}/api/auth/callback`);
    expect(report.permissions.every((p) => p.status === "granted")).toBe(true);
    if (mode === "delegated" || mode === "delegated-resource-only") {
      // Tested with the signed-in admin's own delegated token.
      expect(report.testedWith).toEqual({ kind: "delegated", userId: s.admin.id });
      expect(report.permissions.map((p) => [p.permission, p.inToken])).toEqual([
        ["Calendars.ReadWrite.Shared", true],
      ]);
    } else {
      expect(report.testedWith).toEqual({ kind: "application" });
    }
    if (mode === "application-resource-only") {
      // Calendar access comes from the Exchange RBAC assignment, not the token: the probe shows it.
      const calendars = report.permissions.find((p) => p.permission === "Calendars.ReadWrite");
      expect(calendars).toMatchObject({
        status: "granted",
        inToken: false,
        probe: { probe: "room-calendar" },
      });
      expect(calendars?.note).toMatch(/Exchange/);
    }
    // The same candidate in the body tests the same way, and PUT saves it.
    const put = await s.call(jar, "PUT", "/api/admin/integration", putBody(mode));
    expect(put.status).toBe(200);
    expect(((await put.json()) as { report: IntegrationTestReport }).report.ok).toBe(true);
    expect((await getServices().integrationStore.get())?.mode).toBe(mode);
  });
});

describe("a registration missing one permission", () => {
  it.each([
    ["application", "Group.Read.All", "directory-sync"],
    ["application", "Place.Read.All", "room-discovery"],
    ["application-resource-only", "Place.Read.All", "room-discovery"],
    ["delegated", "Calendars.ReadWrite.Shared", "create-booking"],
    ["delegated-resource-only", "Calendars.ReadWrite.Shared", "outlook-bookings-reflected"],
  ] as const)("%s without %s: reported by name, saving refused", async (mode, permission, lost) => {
    const jar = await s.signInAs(mode);
    const savedBefore = await getServices().integrationStore.get();
    withdraw(mode, permission);

    const response = await s.call(jar, "POST", "/api/admin/integration/test");
    expect(response.status).toBe(200);
    const report = (await response.json()) as IntegrationTestReport;
    expect(report.ok).toBe(false);
    expect(report.missing).toEqual([permission]);
    expect(report.permissions.find((p) => p.permission === permission)?.status).toBe("missing");
    expect(report.unavailable.map((u) => u.capability)).toContain(lost);
    expect(report.unavailable.every((u) => typeof u.label === "string" && u.label !== "")).toBe(true);

    const put = await s.call(jar, "PUT", "/api/admin/integration", putBody(mode, { name: "Refused" }));
    expect(put.status).toBe(400);
    expect(put.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await put.json()) as {
      type: string;
      errors: { path: string }[];
      report: IntegrationTestReport;
    };
    expect(problem.type).toBe("urn:ones:problem:validation-failed");
    expect(problem.errors.map((e) => e.path)).toEqual(["mode"]);
    expect(problem.report.missing).toEqual([permission]);
    expect(JSON.stringify(problem)).not.toContain(appOfMode[mode].secret);
    // Nothing was saved.
    expect(await getServices().integrationStore.get()).toEqual(savedBefore);
  });

  it("wrong credentials are reported and refused, naming the secret", async () => {
    const jar = await s.signInAs("application");
    const wrong = putBody("application", { clientSecret: "not-the-secret" });
    const test = (await (
      await s.call(jar, "POST", "/api/admin/integration/test", wrong)
    ).json()) as IntegrationTestReport;
    expect(test).toMatchObject({ ok: false, credentials: { ok: false, failure: "invalid-client" } });
    expect(test.permissions.every((p) => p.status === "unverified")).toBe(true);
    const put = await s.call(jar, "PUT", "/api/admin/integration", wrong);
    expect(put.status).toBe(400);
    const problem = (await put.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toContain("clientSecret");
    expect(JSON.stringify(problem)).not.toContain("not-the-secret");
  });

  it("a delegated mode tested without the admin's delegated sign-in is unverified, not failed", async () => {
    // Signed in while the application mode was saved: no delegated token is stored for the admin.
    const jar = await s.signInAs("application");
    const response = await s.call(jar, "POST", "/api/admin/integration/test", putBody("delegated"));
    const report = (await response.json()) as IntegrationTestReport;
    expect(report).toMatchObject({ ok: true, complete: false, unverified: ["Calendars.ReadWrite.Shared"] });
    expect(report.testedWith.kind).toBe("none");
  });
});

describe("GET /api/admin/integration", () => {
  it("never returns the secret; shows whether one is set, its expiry and the redirect URI", async () => {
    const jar = await s.signInAs("application");
    const put = await s.call(jar, "PUT", "/api/admin/integration", putBody("application"));
    expect(put.status).toBe(200);
    expect(await put.clone().text()).not.toContain(appOfMode.application.secret);

    const response = await s.call(jar, "GET", "/api/admin/integration");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(appOfMode.application.secret);
    expect(JSON.parse(text)).toMatchObject({
      configured: true,
      name: "Contoso",
      cloud: "global",
      tenantId: s.stack.sim.tenantId,
      clientId: appOfMode.application.clientId,
      mode: "application",
      clientSecret: { set: true, expiresAt: "2027-03-31T00:00:00.000Z" },
      adminGroupId: s.admin.groupId,
      adminEmails: ["it@contoso.example"],
      redirectUri: `${s.stack.host.baseUrl}/api/auth/callback`,
    });
    expect(JSON.parse(text)).not.toHaveProperty("clientSecret.value");

    // An update without a secret keeps the saved one (and its expiry).
    const { clientSecret: _omit, secretExpiresAt: _omit2, ...withoutSecret } = putBody("application");
    const update = await s.call(jar, "PUT", "/api/admin/integration", { ...withoutSecret, name: "Renamed" });
    expect(update.status).toBe(200);
    expect(await getServices().integrationStore.clientSecret()).toBe(appOfMode.application.secret);
    expect((await getServices().integrationStore.get())?.secretExpiresAt?.toISOString()).toBe(
      "2027-03-31T00:00:00.000Z",
    );
  });

  it("says a secret is set without decrypting it (here: sealed under a key since rotated)", async () => {
    const jar = await s.signInAs("application");
    const key = process.env.TOKEN_ENCRYPTION_KEY;
    process.env.TOKEN_ENCRYPTION_KEY = generateKey();
    resetSettings();
    await resetServices();
    try {
      const response = await s.call(jar, "GET", "/api/admin/integration");
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ configured: true, clientSecret: { set: true } });
    } finally {
      process.env.TOKEN_ENCRYPTION_KEY = key;
      resetSettings();
      await resetServices();
    }
  });

  it("is for admins only", async () => {
    const jar = await s.signInAs("application", "staff");
    expect((await s.call(jar, "GET", "/api/admin/integration")).status).toBe(403);
    expect((await s.call(jar, "POST", "/api/admin/integration/test")).status).toBe(403);
    expect((await s.call(jar, "PUT", "/api/admin/integration", putBody("application"))).status).toBe(403);
  });
});

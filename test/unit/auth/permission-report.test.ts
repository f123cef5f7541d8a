import { describe, expect, it } from "vitest";
import {
  integrationTestReport,
  type IntegrationTestEvidence,
} from "../../../shared/domain/integration/permission-report";

const base = {
  credentials: { ok: true },
  source: { kind: "application" },
  redirectUri: "https://ones.example/api/auth/callback",
} as const;

const evidence = (e: Partial<IntegrationTestEvidence> & Pick<IntegrationTestEvidence, "mode">) =>
  integrationTestReport({ ...base, probes: [], ...e });

describe("integration test report", () => {
  it("application mode: a role whose probe is refused (Exchange scope) counts as missing", () => {
    const report = evidence({
      mode: "application",
      tokenPermissions: ["Calendars.ReadWrite", "User.Read.All", "Group.Read.All", "Place.Read.All"],
      probes: [
        { probe: "users", outcome: { ok: true } },
        { probe: "groups", outcome: { ok: true } },
        { probe: "rooms", outcome: { ok: true } },
        {
          probe: "room-calendar",
          target: "room@contoso.example",
          outcome: { ok: false, reason: "denied", status: 403 },
        },
      ],
    });
    expect(report.missing).toEqual(["Calendars.ReadWrite"]);
    expect(report.unavailable.map((u) => u.capability)).toContain("create-booking");
    expect(report.unavailable.map((u) => u.capability)).not.toContain("directory-sync");
  });

  it("resource-only application mode: calendar access only from the probe; tenant-wide consent warned", () => {
    const viaExchange = evidence({
      mode: "application-resource-only",
      tokenPermissions: ["Place.Read.All"],
      probes: [
        { probe: "rooms", outcome: { ok: true } },
        { probe: "room-calendar", target: "room@contoso.example", outcome: { ok: true } },
      ],
    });
    expect(viaExchange).toMatchObject({ ok: true, complete: true, warnings: [] });
    const noRoom = evidence({ mode: "application-resource-only", tokenPermissions: ["Place.Read.All"] });
    expect(noRoom).toMatchObject({ ok: true, complete: false, unverified: ["Calendars.ReadWrite"] });
    const tenantWide = evidence({
      mode: "application-resource-only",
      tokenPermissions: ["Place.Read.All", "Calendars.ReadWrite"],
    });
    expect(tenantWide.warnings.join(" ")).toMatch(/tenant-wide/);
  });

  it("delegated mode: scp decides; a refused room calendar is a warning, not a missing permission", () => {
    const report = evidence({
      mode: "delegated",
      source: { kind: "delegated", userId: "u1" },
      tokenPermissions: ["Calendars.ReadWrite.Shared", "User.Read"],
      probes: [{ probe: "room-calendar", target: "r@x.example", outcome: { ok: false, reason: "denied" } }],
    });
    expect(report).toMatchObject({ ok: true, missing: [] });
    expect(report.warnings).toHaveLength(1);
  });

  it("failing credentials leave every function of the mode unavailable", () => {
    const report = evidence({
      mode: "application",
      credentials: { ok: false, failure: "invalid-client", detail: "x" },
      source: { kind: "none", reason: "x" },
    });
    expect(report.ok).toBe(false);
    expect(report.permissions.every((p) => p.status === "unverified")).toBe(true);
    expect(report.unavailable.map((u) => u.capability)).toEqual(
      expect.arrayContaining(["create-booking", "directory-sync", "room-discovery"]),
    );
  });
});

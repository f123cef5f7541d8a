import { describe, expect, it } from "vitest";
import { cachedHealthCheck, checkHealth, type HealthReport } from "../../../shared/app/check-health";
import type { DependencyProbe } from "../../../shared/app/ports/dependency-probe";

const up = (name: DependencyProbe["name"], required = false): DependencyProbe => ({
  name,
  required,
  check: () => Promise.resolve(),
});

describe("checkHealth", () => {
  it("reports a misconfigured dependency as down with its reason, without checking it", async () => {
    let checked = false;
    const report = await checkHealth(
      [
        up("tables", true),
        {
          name: "mail",
          required: false,
          check: () => {
            checked = true;
            return Promise.resolve();
          },
          misconfigured: "key-vault-reference-unresolved",
        },
      ],
      { version: "1.0.0", now: () => new Date(0) },
    );
    expect(checked).toBe(false);
    expect(report.dependencies.mail).toEqual({
      status: "down",
      required: false,
      reason: "key-vault-reference-unresolved",
    });
    expect(report.status).toBe("degraded");
  });

  it("lists configuration warnings without letting them change the status", async () => {
    const warnings = [{ key: "M365_CLIENT_SECRET", problem: "key-vault-reference-unresolved" }];
    const report = await checkHealth([up("tables", true), up("serviceBus", true)], {
      version: "1.0.0",
      now: () => new Date(0),
      warnings,
    });
    expect(report.status).toBe("healthy");
    expect(report.configuration).toEqual({ status: "valid", warnings });
    const none = await checkHealth([up("tables", true)], { version: "1.0.0", now: () => new Date(0) });
    expect(none.configuration.warnings).toEqual([]);
  });
});

describe("cachedHealthCheck", () => {
  function counting() {
    let ms = Date.parse("2026-03-01T00:00:00Z");
    const now = (): Date => new Date(ms);
    let calls = 0;
    let fail = false;
    const check = async (): Promise<HealthReport> => {
      calls++;
      await Promise.resolve();
      if (fail) throw new Error("boom");
      return checkHealth([up("tables", true)], { version: "1.0.0", now });
    };
    return {
      cached: cachedHealthCheck(check, now),
      advance: (by: number) => (ms += by),
      calls: () => calls,
      failNext: (value: boolean) => (fail = value),
    };
  }

  it("checks once per 10 s however many calls arrive, concurrent ones included", async () => {
    const t = counting();
    const burst = await Promise.all(Array.from({ length: 50 }, () => t.cached()));
    expect(t.calls()).toBe(1);
    expect(new Set(burst.map((r) => r.checkedAt)).size).toBe(1);
    t.advance(9_999);
    await t.cached();
    expect(t.calls()).toBe(1);
    t.advance(1);
    const fresh = await t.cached();
    expect(t.calls()).toBe(2);
    expect(fresh.checkedAt).toBe("2026-03-01T00:00:10.000Z");
  });

  it("does not keep a failed check", async () => {
    const t = counting();
    t.failNext(true);
    await expect(t.cached()).rejects.toThrow("boom");
    t.failNext(false);
    await expect(t.cached()).resolves.toMatchObject({ status: "healthy" });
    expect(t.calls()).toBe(2);
  });
});

import type { DependencyName, DependencyProbe } from "./ports/dependency-probe";

export type DependencyStatus = "up" | "down" | "not-configured";

export interface DependencyReport {
  readonly status: DependencyStatus;
  readonly required: boolean;
  readonly latencyMs?: number;
  /** A short, safe reason (never an SDK message, host name with credentials, or token). */
  readonly reason?: string;
}

/** A setting the app runs without but an admin should fix. Names the key, never its value. */
export interface ConfigurationWarning {
  readonly key: string;
  /** A short code, e.g. `key-vault-reference-unresolved`. */
  readonly problem: string;
}

export interface HealthReport {
  readonly status: "healthy" | "degraded" | "unhealthy";
  readonly version: string;
  readonly checkedAt: string;
  /** Warnings only: they never change `status`, which the dependencies decide. */
  readonly configuration: { readonly status: "valid"; readonly warnings: readonly ConfigurationWarning[] };
  readonly dependencies: Record<DependencyName, DependencyReport>;
}

export interface CheckHealthDependencies {
  readonly version: string;
  readonly now: () => Date;
  readonly timeoutMs?: number;
  readonly warnings?: readonly ConfigurationWarning[];
}

/** Probes every dependency in parallel, each bounded by `timeoutMs`. */
export async function checkHealth(
  probes: readonly DependencyProbe[],
  deps: CheckHealthDependencies,
): Promise<HealthReport> {
  const timeoutMs = deps.timeoutMs ?? 3_000;
  const entries = await Promise.all(
    probes.map(async (probe): Promise<[DependencyName, DependencyReport]> => {
      if (probe.misconfigured !== undefined)
        return [probe.name, { status: "down", required: probe.required, reason: probe.misconfigured }];
      if (probe.check === undefined)
        return [probe.name, { status: "not-configured", required: probe.required }];
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([probe.check(signal), rejectOnAbort(signal)]);
        return [
          probe.name,
          { status: "up", required: probe.required, latencyMs: Math.round(performance.now() - started) },
        ];
      } catch (error) {
        return [probe.name, { status: "down", required: probe.required, reason: describe(error, signal) }];
      }
    }),
  );
  const dependencies = Object.fromEntries(entries) as Record<DependencyName, DependencyReport>;
  const reports = Object.values(dependencies);
  const status = reports.some((r) => r.required && r.status !== "up")
    ? "unhealthy"
    : reports.some((r) => r.status === "down")
      ? "degraded"
      : "healthy";
  return {
    status,
    version: deps.version,
    checkedAt: deps.now().toISOString(),
    configuration: { status: "valid", warnings: deps.warnings ?? [] },
    dependencies,
  };
}

/** How long one worker serves the same health report. */
export const healthCacheMs = 10_000;

/**
 * `check` run at most once per `ttlMs` (by `now`): `/api/health` is anonymous, so a flood of calls must
 * not open a connection to every dependency each. Calls while a check runs share it; `checkedAt` says how
 * old the report is. A failed check is not kept.
 */
export function cachedHealthCheck(
  check: () => Promise<HealthReport>,
  now: () => Date,
  ttlMs = healthCacheMs,
): () => Promise<HealthReport> {
  let cached: { readonly at: number; readonly report: Promise<HealthReport> } | undefined;
  return () => {
    const at = now().getTime();
    if (cached === undefined || at - cached.at >= ttlMs || at < cached.at) {
      const entry = { at, report: check() };
      cached = entry;
      entry.report.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.report;
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(new Error("timeout")), { once: true }),
  );
}

/** Reduces an error to a reason safe to publish: a network code or a timeout, nothing more. */
function describe(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return "no answer in time";
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | null;
  // fetch wraps the socket error (ECONNREFUSED, ENOTFOUND, …) in its `cause`.
  for (const code of [failure?.code, failure?.cause?.code]) {
    if (typeof code === "string" && /^[A-Z_]+$/.test(code)) return code;
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number") return `HTTP ${status}`;
  return "unreachable";
}

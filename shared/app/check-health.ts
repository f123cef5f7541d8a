import type { DependencyName, DependencyProbe } from "./ports/dependency-probe";

export type DependencyStatus = "up" | "down" | "not-configured";

export interface DependencyReport {
  readonly status: DependencyStatus;
  readonly required: boolean;
  readonly latencyMs?: number;
  /** A short, safe reason (never an SDK message, host name with credentials, or token). */
  readonly reason?: string;
}

export interface HealthReport {
  readonly status: "healthy" | "degraded" | "unhealthy";
  readonly version: string;
  readonly checkedAt: string;
  readonly dependencies: Record<DependencyName, DependencyReport>;
}

/** Probes every dependency in parallel, each bounded by `timeoutMs`. */
export async function checkHealth(
  probes: readonly DependencyProbe[],
  deps: { version: string; now: () => Date; timeoutMs?: number },
): Promise<HealthReport> {
  const timeoutMs = deps.timeoutMs ?? 3_000;
  const entries = await Promise.all(
    probes.map(async (probe): Promise<[DependencyName, DependencyReport]> => {
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
  return { status, version: deps.version, checkedAt: deps.now().toISOString(), dependencies };
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

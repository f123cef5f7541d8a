import { AppError, isAppError } from "../../domain/errors";
import { graphRequestIdOf } from "../../domain/integration/graph-call-error";
import { syncAvailability, type SyncKind } from "../../domain/sync/sync-kinds";
import type { SyncRequest, SyncStateStore, SyncStatus } from "../ports/sync-state-store";
import type { ProgressSink, SyncCounts, SyncDependencies } from "./sync-dependencies";
import { syncDirectory } from "./sync-directory";
import { syncRooms } from "./sync-rooms";

export type SyncTrigger = "timer" | "admin";

export interface SyncRunResult {
  readonly kind: SyncKind;
  readonly outcome: "succeeded" | "failed" | "already-running" | "unavailable" | "not-configured";
  readonly runId?: string;
  /** This caller joined a run already going in this worker instead of starting one. */
  readonly joined?: boolean;
  readonly status?: SyncStatus;
}

const DEFAULT_LEASE_MS = 2 * 60 * 1000;

/** Runs in progress in this worker, per state store and kind: a second caller joins the first. */
const running = new WeakMap<SyncStateStore, Map<SyncKind, Promise<SyncRunResult>>>();

/**
 * Runs one sync of `kind` now. One run at a time: a caller in the same worker joins the run in
 * progress; across workers a lease in Table Storage refuses the second (`already-running`), so work
 * is never done twice. A run that crashed leaves its checkpoint; the next run resumes from it once
 * the lease has expired.
 */
export async function runSync(
  deps: SyncDependencies,
  kind: SyncKind,
  trigger: SyncTrigger,
): Promise<SyncRunResult> {
  let perStore = running.get(deps.state);
  if (perStore === undefined) {
    perStore = new Map();
    running.set(deps.state, perStore);
  }
  const current = perStore.get(kind);
  if (current !== undefined) return { ...(await current), joined: true };
  const run = runOnce(deps, kind, trigger);
  perStore.set(kind, run);
  try {
    return await run;
  } finally {
    perStore.delete(kind);
  }
}

async function runOnce(deps: SyncDependencies, kind: SyncKind, trigger: SyncTrigger): Promise<SyncRunResult> {
  const settings = await deps.integration.get();
  if (settings === undefined) return { kind, outcome: "not-configured" };
  const availability = syncAvailability(settings.mode, kind);
  const previous = await deps.state.status(kind);
  if (!availability.available) {
    const status: SyncStatus = { ...keep(previous), kind, state: "unavailable" };
    if (previous?.state !== "unavailable") await deps.state.saveStatus(status);
    return { kind, outcome: "unavailable", status };
  }

  const runId = deps.newRunId();
  const ttl = deps.leaseTtlMs ?? DEFAULT_LEASE_MS;
  const lease = await deps.state.acquireLease(kind, runId, ttl, deps.now());
  if (!lease.acquired) {
    deps.log?.(`${kind}: run refused, run ${lease.holder} holds the lease`);
    return {
      kind,
      outcome: "already-running",
      runId: lease.holder,
      ...(previous ? { status: previous } : {}),
    };
  }

  // Everything from here on is inside the try: whatever rejects is recorded as this run's failure,
  // and the lease is released, so no rejection escapes a run that started.
  const started = deps.now();
  let status: SyncStatus = {
    ...keep(previous),
    kind,
    state: "running",
    runId,
    trigger,
    startedAt: started.toISOString(),
    progress: { pages: 0, read: 0, written: 0 },
  };
  let request: SyncRequest | undefined;
  try {
    // A pending "run now" is served by this run, whoever started it (timer or queue).
    request = await deps.state.takeRequest(kind, runId);
    if (request !== undefined) status = { ...status, requestId: request.requestId };
    await deps.state.saveStatus(status);
    deps.log?.(
      `${kind}: run ${runId} started (${trigger}${request === undefined ? "" : `, request ${request.requestId}`})`,
    );

    const progress: ProgressSink = async (p) => {
      if (!(await deps.state.renewLease(kind, runId, ttl, deps.now()))) {
        throw new AppError("conflict", "Another run took over this sync (the lease expired).");
      }
      status = { ...status, progress: p };
      await deps.state.saveStatus(status);
    };

    const counts: SyncCounts =
      kind === "rooms" ? await syncRooms(deps, progress) : await syncDirectory(deps, progress);
    const finished = deps.now();
    status = {
      ...status,
      state: "succeeded",
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      lastSuccessAt: finished.toISOString(),
      counts,
      progress: { pages: counts.pages ?? 0, read: counts.read ?? 0, written: counts.written ?? 0 },
      resumed: (counts.resumed ?? 0) > 0,
    };
    await deps.state.saveStatus(status);
    deps.log?.(`${kind}: run ${runId} succeeded: ${summary(counts)}`);
    return { kind, outcome: "succeeded", runId, status };
  } catch (error) {
    const finished = deps.now();
    const requestId = graphRequestIdOf(error);
    status = {
      ...status,
      state: "failed",
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      lastError: {
        code: isAppError(error) ? error.code : "internal",
        message: isAppError(error) ? error.detail : "Unexpected failure; see the logs for this run id.",
        ...(requestId === undefined ? {} : { graphRequestId: requestId }),
        at: finished.toISOString(),
      },
    };
    await deps.state.saveStatus(status).catch(() => undefined);
    const name = error instanceof Error ? error.name : "Error";
    deps.log?.(
      `${kind}: run ${runId} failed: ${isAppError(error) ? error.code : name} (request ${requestId ?? "-"})`,
    );
    return { kind, outcome: "failed", runId, status };
  } finally {
    // The request is served (succeeded or failed, as the status says) only once the run is over.
    if (request !== undefined) await deps.state.closeRequest(kind, request.requestId).catch(() => undefined);
    await deps.state.releaseLease(kind, runId).catch(() => undefined);
  }
}

/** What a new status keeps from the last one: last success and last error. */
function keep(previous: SyncStatus | undefined): Partial<SyncStatus> {
  if (previous === undefined) return {};
  return {
    ...(previous.lastSuccessAt === undefined ? {} : { lastSuccessAt: previous.lastSuccessAt }),
    ...(previous.lastError === undefined ? {} : { lastError: previous.lastError }),
    ...(previous.counts === undefined ? {} : { counts: previous.counts }),
  };
}

function summary(counts: SyncCounts): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

import { AppError } from "../../domain/errors";
import { syncAvailability, syncRefusal, type SyncKind } from "../../domain/sync/sync-kinds";
import { SYNC_REQUEST_STALE_MS, type SyncRunMessage } from "../../domain/sync/sync-request";
import type { IntegrationStore } from "../ports/integration-store";
import type { SyncStateStore, SyncStatus } from "../ports/sync-state-store";
import type { WorkQueue } from "../ports/work-queue";
import { runSync, type SyncRunResult } from "./run-sync";
import type { SyncDependencies } from "./sync-dependencies";

export interface RequestSyncDependencies {
  readonly integration: IntegrationStore;
  readonly state: SyncStateStore;
  readonly workQueue: WorkQueue;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly sleep: (ms: number) => Promise<void>;
}

export type SyncRequestResult =
  /** The run finished within the wait. */
  | {
      readonly kind: SyncKind;
      readonly outcome: "succeeded" | "failed";
      readonly runId?: string;
      readonly requestId?: string;
      readonly status: SyncStatus;
    }
  /** Queued (or joined a request already queued); follow it on GET /api/admin/sync. */
  | {
      readonly kind: SyncKind;
      readonly outcome: "requested";
      readonly requestId: string;
      readonly joined: boolean;
    }
  /** A run is going already (this request joins it); follow it on GET /api/admin/sync. */
  | { readonly kind: SyncKind; readonly outcome: "already-running"; readonly runId: string };

/** How often the short wait looks at the status. */
const POLL_MS = 250;

/**
 * "Run now" (POST /api/admin/sync/{kind}). Refused when the mode cannot run the kind or nothing is set
 * up. One run at a time: a run in progress is joined, and so is a request still waiting to be run.
 * Otherwise the request is recorded in the sync state first and then put on the `sync-run` queue, so
 * an accepted request survives this instance: the queue consumer runs it, and failing that any later
 * run of the kind (the timer's) takes it up. Waits up to `waitMs` for the run to finish.
 */
export async function requestSyncRun(
  deps: RequestSyncDependencies,
  kind: SyncKind,
  requestedBy: string,
  waitMs: number,
): Promise<SyncRequestResult> {
  const settings = await deps.integration.get();
  if (settings === undefined) {
    throw new AppError("precondition-failed", "Set up the Microsoft 365 integration first.");
  }
  if (!syncAvailability(settings.mode, kind).available) {
    throw new AppError("not-available-in-mode", syncRefusal(kind));
  }

  const now = deps.now();
  const holder = await deps.state.leaseHolder(kind, now);
  if (holder !== undefined) {
    return (
      (await finished(deps, kind, (s) => s.runId === holder, waitMs)) ?? {
        kind,
        outcome: "already-running",
        runId: holder,
      }
    );
  }

  const opened = await deps.state.openRequest(
    { kind, requestId: deps.newId(), requestedAt: now.toISOString(), requestedBy },
    new Date(now.getTime() - SYNC_REQUEST_STALE_MS),
  );
  const { requestId } = opened.request;
  if (opened.created) {
    const message: SyncRunMessage = { kind, requestId };
    try {
      await deps.workQueue.enqueue("sync-run", { id: requestId, body: message });
    } catch (error) {
      // Not accepted after all: take the record back so that it does not look pending.
      await deps.state.closeRequest(kind, requestId).catch(() => undefined);
      throw error;
    }
  }
  return (
    (await finished(deps, kind, (s) => s.requestId === requestId, waitMs)) ?? {
      kind,
      outcome: "requested",
      requestId,
      joined: !opened.created,
    }
  );
}

/** The run's result once its status (matched by `isRun`) is final, or undefined after `waitMs`. */
async function finished(
  deps: RequestSyncDependencies,
  kind: SyncKind,
  isRun: (status: SyncStatus) => boolean,
  waitMs: number,
): Promise<SyncRequestResult | undefined> {
  const deadline = deps.now().getTime() + waitMs;
  for (;;) {
    const status = await deps.state.status(kind);
    if (
      status !== undefined &&
      isRun(status) &&
      (status.state === "succeeded" || status.state === "failed")
    ) {
      return {
        kind,
        outcome: status.state,
        ...(status.runId === undefined ? {} : { runId: status.runId }),
        ...(status.requestId === undefined ? {} : { requestId: status.requestId }),
        status,
      };
    }
    if (deps.now().getTime() + POLL_MS > deadline) return undefined;
    await deps.sleep(POLL_MS);
  }
}

export type RequestedRunOutcome = SyncRunResult["outcome"] | "served-already";

/**
 * The `sync-run` queue consumer: runs the sync for a recorded request. Idempotent per request: a
 * message whose request was served (or replaced) already does nothing. When another run holds the
 * sync and has not taken this request up, the request waits: a retryable error, so the queue
 * delivers it again later (by then that run has finished, or its lease has expired after a crash).
 * The run's own failures are recorded in its status, not thrown.
 */
export async function runRequestedSync(
  deps: SyncDependencies,
  message: SyncRunMessage,
): Promise<RequestedRunOutcome> {
  const { kind, requestId } = message;
  const pending = await deps.state.request(kind);
  if (pending?.requestId !== requestId) return "served-already";
  const result = await runSync(deps, kind, "admin");
  if (result.outcome === "unavailable" || result.outcome === "not-configured") {
    // The mode changed since the request was accepted; the status says why nothing ran.
    await deps.state.closeRequest(kind, requestId);
    return result.outcome;
  }
  // Refused by another run's lease, or joined a run in this worker that began before the request.
  if (result.outcome === "already-running" || result.joined === true) {
    const still = await deps.state.request(kind);
    if (still?.requestId === requestId) {
      throw new AppError("conflict", `A ${kind} sync is running; the request waits for it to end.`, {
        retryable: true,
      });
    }
    return result.outcome === "already-running" ? "served-already" : result.outcome;
  }
  return result.outcome;
}

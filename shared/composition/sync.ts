import { getSyncStatus as getSyncStatusUseCase, type SyncStatusReport } from "../app/sync/get-sync-status";
import {
  requestSyncRun as requestSyncRunUseCase,
  runRequestedSync as runRequestedSyncUseCase,
  type RequestedRunOutcome,
  type SyncRequestResult,
} from "../app/sync/request-sync";
import { runSync as runSyncUseCase, type SyncRunResult, type SyncTrigger } from "../app/sync/run-sync";
import type { SyncKind } from "../domain/sync/sync-kinds";
import type { SyncRunMessage } from "../domain/sync/sync-request";
import { getServices } from "./services";
import { syncRequestDependencies } from "./sync-wiring";

/** Room and directory sync from Microsoft 365: timers, "run now" and the status page. */

type Log = (message: string) => void;

/** One sync run of `kind` (or a note that one is running); a run also serves a pending "run now". */
export const runSync = async (kind: SyncKind, trigger: SyncTrigger, log?: Log): Promise<SyncRunResult> =>
  runSyncUseCase(await getServices().sync(log), kind, trigger);

/** An admin's "run now": recorded and queued (`sync-run`), answered when it ends within `waitMs`. */
export const requestSyncRun = (kind: SyncKind, userId: string, waitMs: number): Promise<SyncRequestResult> =>
  requestSyncRunUseCase(syncRequestDependencies(getServices()), kind, userId, waitMs);

/** The `sync-run` queue's work: runs a recorded "run now" request (idempotent per request id). */
export const runRequestedSync = async (message: SyncRunMessage, log?: Log): Promise<RequestedRunOutcome> =>
  runRequestedSyncUseCase(await getServices().sync(log), message);

export const getSyncStatus = async (): Promise<SyncStatusReport> =>
  getSyncStatusUseCase(await getServices().sync());

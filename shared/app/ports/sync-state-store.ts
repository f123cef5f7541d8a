import type { SyncKind } from "../../domain/sync/sync-kinds";

export interface SyncProgress {
  readonly pages: number;
  readonly read: number;
  readonly written: number;
}

export interface SyncErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly graphRequestId?: string;
  readonly at: string;
}

/** The status of a sync kind, as `GET /api/admin/sync` shows it. */
export interface SyncStatus {
  readonly kind: SyncKind;
  readonly state: "idle" | "running" | "succeeded" | "failed" | "unavailable";
  readonly runId?: string;
  readonly trigger?: "timer" | "admin";
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly lastSuccessAt?: string;
  readonly progress?: SyncProgress;
  /** Entity counts of the last run (read, written, deactivated, …). */
  readonly counts?: Readonly<Record<string, number>>;
  readonly lastError?: SyncErrorInfo;
  /** The run resumed an interrupted one from its checkpoint. */
  readonly resumed?: boolean;
  /** The admin "run now" request this run served, if any. */
  readonly requestId?: string;
}

/**
 * An admin's "run now", recorded before it is queued so that it is never lost: it stays until a run
 * that took it up finishes (any run of the kind takes up the pending request, timer runs included).
 */
export interface SyncRequest {
  readonly kind: SyncKind;
  readonly requestId: string;
  readonly requestedAt: string;
  /** ONES user id of the admin who asked. */
  readonly requestedBy?: string;
  /** The run that took the request up (it is kept until that run finishes). */
  readonly runId?: string;
}

/** Where a paged Graph stream stands: the next link to fetch, or the delta link of the last round. */
export interface SyncCursor {
  readonly stream: string;
  readonly phase: "full" | "incremental";
  /** Link of the first page not yet committed, when a round was interrupted. */
  readonly resumeLink?: string;
  readonly deltaLink?: string;
  readonly pagesCommitted: number;
  /** A full round resumed after a crash cannot tell which unchanged entities it saw: sweep next time. */
  readonly sweepPending?: boolean;
  readonly updatedAt: string;
}

export type LeaseResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: string };

export interface SyncStateStore {
  status(kind: SyncKind): Promise<SyncStatus | undefined>;
  saveStatus(status: SyncStatus): Promise<void>;
  cursor(kind: SyncKind, stream: string): Promise<SyncCursor | undefined>;
  saveCursor(kind: SyncKind, cursor: SyncCursor): Promise<void>;
  /** One run per kind: takes the lease unless another owner holds an unexpired one (ETag-checked). */
  acquireLease(kind: SyncKind, owner: string, ttlMs: number, now: Date): Promise<LeaseResult>;
  /** Extends a held lease; false when it was lost (taken over after expiry). */
  renewLease(kind: SyncKind, owner: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLease(kind: SyncKind, owner: string): Promise<void>;
  /** The owner of an unexpired lease, if any. */
  leaseHolder(kind: SyncKind, now: Date): Promise<string | undefined>;

  /** The pending "run now" of a kind. */
  request(kind: SyncKind): Promise<SyncRequest | undefined>;
  /**
   * Records `request` unless another one is pending and was made at or after `staleBefore`: that one is
   * returned instead (join). Atomic across workers (ETag-checked).
   */
  openRequest(request: SyncRequest, staleBefore: Date): Promise<{ created: boolean; request: SyncRequest }>;
  /** Marks the pending request (if any) as taken up by `runId`, and returns it. */
  takeRequest(kind: SyncKind, runId: string): Promise<SyncRequest | undefined>;
  /** Removes the request once served (only if it is still `requestId`). */
  closeRequest(kind: SyncKind, requestId: string): Promise<void>;
}

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
}

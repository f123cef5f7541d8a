import type { IntegrationStore } from "../ports/integration-store";
import type { M365Gateways } from "../ports/m365-gateways";
import type { RoomDeactivationHook, RoomsSyncedHook } from "../ports/room-deactivation-hook";
import type { SyncStateStore } from "../ports/sync-state-store";
import type { SyncStore } from "../ports/sync-store";

export interface SyncDependencies {
  readonly integration: IntegrationStore;
  readonly gateways: M365Gateways;
  readonly store: SyncStore;
  readonly state: SyncStateStore;
  readonly roomDeactivation: RoomDeactivationHook;
  /** Follow-up of a rooms sync (calendar subscriptions in the application modes). */
  readonly roomsSynced?: RoomsSyncedHook;
  readonly now: () => Date;
  readonly newRunId: () => string;
  /** IANA zone for rooms without working hours or a building zone (ROOMS_DEFAULT_TIME_ZONE). */
  readonly defaultTimeZone: string;
  /** How long a run's lease lasts without renewal (a crashed run blocks others this long). */
  readonly leaseTtlMs?: number;
  /** Structured log line: ids and counts, never payloads. */
  readonly log?: (message: string) => void;
}

/** Counts a run reports (entities read and written, deactivated, …). */
export type SyncCounts = Record<string, number>;

/** Told at each committed checkpoint; renews the lease and publishes progress. */
export type ProgressSink = (progress: { pages: number; read: number; written: number }) => Promise<void>;

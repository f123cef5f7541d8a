import {
  syncAvailability,
  syncKinds,
  type SyncKind,
  type UnavailablePart,
} from "../../domain/sync/sync-kinds";
import type { IntegrationMode } from "../../domain/integration/modes";
import type { IntegrationStore } from "../ports/integration-store";
import type { SyncStateStore, SyncStatus } from "../ports/sync-state-store";

export interface SyncKindReport extends Omit<SyncStatus, "kind" | "state"> {
  readonly kind: SyncKind;
  readonly state: SyncStatus["state"] | "never-run";
  /** Whether this mode runs the sync at all. */
  readonly available: boolean;
  /** What the mode leaves out, and the permission that would enable it. */
  readonly unavailable: readonly UnavailablePart[];
}

export interface SyncStatusReport {
  readonly mode: IntegrationMode | null;
  readonly kinds: readonly SyncKindReport[];
}

/** GET /api/admin/sync: per kind, state, progress, last success and error, counts, and mode gaps. */
export async function getSyncStatus(deps: {
  integration: IntegrationStore;
  state: SyncStateStore;
}): Promise<SyncStatusReport> {
  const settings = await deps.integration.get();
  const mode = settings?.mode ?? null;
  const kinds = await Promise.all(
    syncKinds.map(async (kind): Promise<SyncKindReport> => {
      const status = await deps.state.status(kind);
      const availability = mode === null ? undefined : syncAvailability(mode, kind);
      return {
        ...status,
        kind,
        state: status?.state ?? "never-run",
        available: availability?.available ?? false,
        unavailable: availability?.unavailable ?? [],
      };
    }),
  );
  return { mode, kinds };
}

import type { DependencyProbe } from "./dependency-probe";

export {
  floorGroup,
  roomGroup,
  type ScheduleItem,
  type ScheduleSnapshot,
} from "../../domain/displays/snapshot";
import type { ScheduleSnapshot } from "../../domain/displays/snapshot";

/**
 * Pushes schedule snapshots to room and floor displays. Failures are `AppError`s with code
 * `dependency-unavailable` (retryable): the next change, or the reconcile pass, publishes again.
 */
export interface RealtimePublisher {
  /** Sends the snapshot to `room:{roomId}`, and to `floor:{floorId}` when the room has a floor. */
  publishSchedule(snapshot: ScheduleSnapshot, where?: { readonly floorId?: string | null }): Promise<void>;
  /** Checks that the service answers an authenticated call. */
  probe(): DependencyProbe;
}

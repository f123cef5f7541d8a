import type { DependencyProbe } from "./dependency-probe";

/** One booking or busy slot on a room's schedule, as displays draw it. */
export interface ScheduleItem {
  readonly id: string;
  /** ISO 8601 instants. */
  readonly start: string;
  readonly end: string;
  /** What the display shows as the meeting's title (already reduced to what the room's policy allows). */
  readonly title?: string;
  readonly organizer?: string;
  readonly checkedIn?: boolean;
}

/**
 * A room's whole schedule at one moment (API.md, Web PubSub): displays replace what they show with it,
 * and ignore a snapshot whose `version` is not newer than the one they have, so a display that missed
 * messages heals on the next one.
 */
export interface ScheduleSnapshot {
  readonly type: "schedule";
  readonly roomId: string;
  /** Grows with every change of the room's schedule. */
  readonly version: number;
  /** ISO 8601 instant the snapshot was built. */
  readonly generatedAt: string;
  readonly items: readonly ScheduleItem[];
}

/** The Web PubSub groups of a room and a floor. */
export const roomGroup = (roomId: string): string => `room:${roomId}`;
export const floorGroup = (floorId: string): string => `floor:${floorId}`;

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

import type { ScheduleSnapshot } from "../../domain/displays/snapshot";

/**
 * The current schedule snapshot of a room, as the displays fetch it after (re)connecting or on a
 * version gap. It must agree with what the booking engine publishes through `RealtimePublisher`: the
 * same items and the same `version` for the same state.
 */
export interface ScheduleSnapshots {
  current(roomId: string): Promise<ScheduleSnapshot>;
}

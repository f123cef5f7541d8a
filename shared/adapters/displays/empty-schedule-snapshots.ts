import type { ScheduleSnapshots } from "../../app/ports/schedule-snapshots";
import { emptySnapshot, type ScheduleSnapshot } from "../../domain/displays/snapshot";

/**
 * The schedule snapshots before ONES keeps bookings: every room is free (version 0). This is the seam
 * the booking engine fills: it replaces this adapter with one that builds the room's snapshot (today
 * and tomorrow, the room's subject privacy applied) from its booking store, with the same `version`
 * it publishes through `RealtimePublisher`. Composition (shared/composition/displays.ts) picks it.
 */
export class EmptyScheduleSnapshots implements ScheduleSnapshots {
  constructor(private readonly now: () => Date) {}

  current(roomId: string): Promise<ScheduleSnapshot> {
    return Promise.resolve(emptySnapshot(roomId, this.now()));
  }
}

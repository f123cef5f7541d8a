/**
 * Called when rooms disappear from Microsoft 365 (marked inactive, never deleted): their future
 * bookings must be flagged for the organizers and admins. Bookings arrive with a later issue; until
 * then the composition wires a hook that has nothing to flag.
 */
export interface RoomDeactivationHook {
  /** Flags the future bookings of the rooms; resolves to how many were flagged. */
  roomsDeactivated(roomIds: readonly string[], at: Date): Promise<number>;
}

/**
 * Called at the end of a rooms sync, once its rooms are stored: work that follows the set of active
 * rooms (calendar subscriptions for new rooms, none for gone ones). A failure does not fail the sync.
 */
export interface RoomsSyncedHook {
  roomsSynced(at: Date): Promise<void>;
}

/**
 * Called when rooms disappear from Microsoft 365 (marked inactive, never deleted): their future
 * bookings must be flagged for the organizers and admins. Bookings arrive with a later issue; until
 * then the composition wires a hook that has nothing to flag.
 */
export interface RoomDeactivationHook {
  /** Flags the future bookings of the rooms; resolves to how many were flagged. */
  roomsDeactivated(roomIds: readonly string[], at: Date): Promise<number>;
}

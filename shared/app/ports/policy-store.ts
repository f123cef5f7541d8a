import type { BookingPolicy, PolicyRules } from "../../domain/bookings/policy";

/**
 * Room policies: a room's own policy, or a policy shared by a group of rooms (a room is in at most one
 * shared policy; its own policy wins). Rooms with neither get the default policy.
 */
export interface PolicyStore {
  /** The policy that governs the room (own, shared or default). */
  forRoom(roomId: string): Promise<BookingPolicy>;
  /** The room's own policy, if it has one. */
  roomPolicy(roomId: string): Promise<BookingPolicy | undefined>;
  putRoomPolicy(roomId: string, rules: PolicyRules, now: Date): Promise<BookingPolicy>;
  listShared(): Promise<BookingPolicy[]>;
  shared(id: string): Promise<BookingPolicy | undefined>;
  /** Creates or replaces a shared policy and assigns exactly `roomIds` to it (taking them from others). */
  putShared(id: string, rules: PolicyRules, roomIds: readonly string[], now: Date): Promise<BookingPolicy>;
}

import type { DeviceAction, DeviceRules } from "./actions";

/**
 * What displays show, as the app sends it over Web PubSub (hub `displays`) and answers it on
 * `GET /api/displays/schedule`. Pure data.
 */

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
  /** What the display may do for this meeting when the snapshot was built (the page re-checks with its clock). */
  readonly actions?: readonly DeviceAction[];
}

/**
 * A room's whole schedule (today and tomorrow) at one moment: displays replace what they show with it,
 * and ignore a snapshot whose `version` is not newer than the one they have, so a display that missed
 * messages heals on the next one. Sent to `room:{roomId}` and, for a room on a floor, to
 * `floor:{floorId}`, where floor displays keep one per room.
 */
export interface ScheduleSnapshot {
  readonly type: "schedule";
  readonly roomId: string;
  /** Grows with every change of the room's schedule; 0 before the first change is known. */
  readonly version: number;
  /** ISO 8601 instant the snapshot was built. */
  readonly generatedAt: string;
  readonly items: readonly ScheduleItem[];
  /** The room's check-in rules, so the page can enable its buttons as time passes. */
  readonly rules?: DeviceRules;
}

/** A room as a display labels it, with the snapshot it shows. */
export interface DisplayRoom {
  readonly roomId: string;
  readonly name: string;
  /** IANA zone the room's day is drawn in. */
  readonly timeZone: string;
  readonly snapshot: ScheduleSnapshot;
}

/**
 * The answer of `GET /api/displays/schedule`: the device's room, or every room of its floor (the floor
 * summary), each with its current snapshot.
 */
export interface DisplaySchedule {
  readonly display: { readonly id: string; readonly name: string };
  readonly target: DisplayTarget;
  readonly generatedAt: string;
  readonly rooms: readonly DisplayRoom[];
}

/** What a display shows: one room, or one floor. */
export type DisplayTarget =
  { readonly kind: "room"; readonly roomId: string } | { readonly kind: "floor"; readonly floorId: string };

/** The Web PubSub groups of a room and a floor. */
export const roomGroup = (roomId: string): string => `room:${roomId}`;
export const floorGroup = (floorId: string): string => `floor:${floorId}`;

/** The one group a display's connection is in. */
export function displayGroup(target: DisplayTarget): string {
  return target.kind === "room" ? roomGroup(target.roomId) : floorGroup(target.floorId);
}

/** A snapshot for a room whose schedule nobody has published yet: empty, version 0. */
export function emptySnapshot(roomId: string, at: Date): ScheduleSnapshot {
  return { type: "schedule", roomId, version: 0, generatedAt: at.toISOString(), items: [] };
}

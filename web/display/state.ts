import type {
  DisplayRoom,
  DisplaySchedule,
  ScheduleItem,
  ScheduleSnapshot,
} from "../../shared/domain/displays/snapshot";
import { occurrenceActions, type DeviceAction } from "../../shared/domain/displays/actions";

/** What a room is doing at a moment, from its schedule snapshot. Pure; the page renders it. */
export type Item = ScheduleItem;
export type Snapshot = ScheduleSnapshot;
export type ScheduleRoom = DisplayRoom;
export type Schedule = DisplaySchedule;

/** Whether two instants fall on the same calendar day in a time zone. */
export function sameDay(a: Date | number, b: Date | number, zone: string): boolean {
  const day = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return day.format(a) === day.format(b);
}

/** A busy room whose meeting ends within this many minutes shows "free soon". */
export const SOON_FREE_MS = 10 * 60_000;

export type RoomStatus = "free" | "busy" | "soon-free";

export interface RoomState {
  readonly status: RoomStatus;
  readonly current: Item | undefined;
  readonly next: Item | undefined;
  /** When the status changes next: the current meeting's end, or the next meeting's start. */
  readonly until: Date | undefined;
}

export function roomState(items: readonly Item[], now: Date): RoomState {
  const t = now.getTime();
  const sorted = [...items].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const current = sorted.find((i) => Date.parse(i.start) <= t && t < Date.parse(i.end));
  const next = sorted.find((i) => Date.parse(i.start) > t);
  if (current === undefined)
    return { status: "free", current, next, until: next === undefined ? undefined : new Date(next.start) };
  // Back-to-back meetings keep the room busy until the last of them ends.
  let end = Date.parse(current.end);
  for (const i of sorted) if (Date.parse(i.start) <= end && Date.parse(i.end) > end) end = Date.parse(i.end);
  return {
    status: end - t <= SOON_FREE_MS ? "soon-free" : "busy",
    current,
    next: sorted.find((i) => Date.parse(i.start) >= end),
    until: new Date(end),
  };
}

/**
 * Applies a pushed snapshot to the schedule. "applied" (with the new schedule) for a newer one, "stale"
 * for one not newer than what is shown, "unknown" for a room the display does not show; `gap` is true
 * when versions were skipped (the display then refetches everything).
 */
export function applySnapshot(
  schedule: Schedule,
  snapshot: Snapshot,
): { readonly result: "applied" | "stale" | "unknown"; readonly gap: boolean; readonly schedule: Schedule } {
  const room = schedule.rooms.find((r) => r.roomId === snapshot.roomId);
  if (room === undefined) return { result: "unknown", gap: false, schedule };
  if (snapshot.version <= room.snapshot.version) return { result: "stale", gap: false, schedule };
  return {
    result: "applied",
    gap: snapshot.version > room.snapshot.version + 1,
    schedule: {
      ...schedule,
      rooms: schedule.rooms.map((r) => (r.roomId === snapshot.roomId ? { ...r, snapshot } : r)),
    },
  };
}

/**
 * A fetched schedule, keeping any room snapshot the display already has in a newer version (a push
 * that overtook the fetch must not be undone by it).
 */
export function mergeFetched(local: Schedule | undefined, fetched: Schedule): Schedule {
  if (local === undefined) return fetched;
  const known = new Map(local.rooms.map((r) => [r.roomId, r.snapshot]));
  return {
    ...fetched,
    rooms: fetched.rooms.map((room) => {
      const mine = known.get(room.roomId);
      return mine !== undefined && mine.version > room.snapshot.version ? { ...room, snapshot: mine } : room;
    }),
  };
}

/** What the room's display offers at a moment: the meeting each action is for, and book-now. */
export interface OfferedActions {
  readonly checkIn?: Item;
  readonly extend?: Item;
  readonly end?: Item;
  readonly bookNow: boolean;
}

/**
 * The buttons a room display enables, from the snapshot and the clock: the same rules the server
 * applies (check-in from its window's opening to start + grace; extend and end for the meeting in
 * progress; book now while the room is free). Without the rules (an older snapshot) nothing is offered.
 */
export function offeredActions(snapshot: Snapshot, now: Date): OfferedActions {
  const rules = snapshot.rules;
  if (rules === undefined) return { bookNow: false };
  const t = now.getTime();
  const offers = snapshot.items.map((item) => ({
    item,
    actions: occurrenceActions(
      rules,
      { start: Date.parse(item.start), end: Date.parse(item.end), checkedIn: item.checkedIn === true },
      t,
    ),
  }));
  const first = (action: DeviceAction): Item | undefined =>
    offers.find((o) => o.actions.includes(action))?.item;
  const checkIn = first("check-in");
  const extend = first("extend");
  const end = first("end");
  return {
    ...(checkIn === undefined ? {} : { checkIn }),
    ...(extend === undefined ? {} : { extend }),
    ...(end === undefined ? {} : { end }),
    bookNow: roomState(snapshot.items, now).current === undefined,
  };
}

/** An action kept while the display was offline, sent on reconnect unless it is too old by then. */
export interface QueuedAction {
  readonly action: DeviceAction;
  readonly body: Record<string, unknown>;
  /** Epoch ms when it was asked for. */
  readonly at: number;
}

/** How long a queued action stays worth sending (a check-in or walk-in minutes later means little). */
export const QUEUE_TTL_MS = 5 * 60_000;

/** Splits the queue into what to send now and what is too old to send. */
export function dueQueued(
  queue: readonly QueuedAction[],
  now: number,
): { send: QueuedAction[]; tooLate: QueuedAction[] } {
  return {
    send: queue.filter((q) => now - q.at <= QUEUE_TTL_MS),
    tooLate: queue.filter((q) => now - q.at > QUEUE_TTL_MS),
  };
}

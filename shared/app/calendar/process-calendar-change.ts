import type { CalendarChangeMessage } from "../../domain/calendar/calendar-change";
import { isAppError } from "../../domain/errors";
import { graphRequestIdOf, isGraphCallError } from "../../domain/integration/graph-call-error";
import type { Room } from "../../domain/rooms/room";
import type {
  CalendarWindow,
  RoomCalendarReader,
  RoomCalendarRead,
  RoomCalendarSink,
  RoomSyncStateStore,
} from "../ports/room-calendars";
import type { RoomStore } from "../ports/sync-store";
import {
  reauthorizeSubscription,
  replaceRemovedSubscription,
  type SubscriptionDependencies,
} from "./subscriptions";

export interface CalendarChangeDependencies {
  readonly rooms: Pick<RoomStore, "room">;
  readonly reader: RoomCalendarReader;
  readonly sink: RoomCalendarSink;
  readonly roomState: RoomSyncStateStore;
  /** Lifecycle answers (recreate, reauthorize). */
  readonly subscriptions: SubscriptionDependencies;
  /** Days ahead of today the room's calendar is read (CALENDAR_SYNC_DAYS). */
  readonly windowDays: number;
  readonly now: () => Date;
  readonly log?: (message: string) => void;
}

export type CalendarChangeOutcome =
  | {
      readonly outcome: "read";
      readonly full: boolean;
      readonly events: number;
      readonly upserted: number;
      readonly removed: number;
    }
  | { readonly outcome: "room-unknown" | "room-inactive" }
  | { readonly outcome: "renewed" | "recreated" | "unknown" };

/**
 * The `calendar-changes` consumer. Every kind ends in reading the room's calendar from Graph
 * (`calendarView/delta` from the room's delta link, or in full), handing the events to the sink and
 * recording the room's state; a message is never trusted for content, so duplicates, reordering and
 * late copies only cause a read that finds nothing new. Lifecycle answers renew or recreate the
 * room's subscription first (which queue their own full read).
 */
export async function processCalendarChange(
  deps: CalendarChangeDependencies,
  message: CalendarChangeMessage,
): Promise<CalendarChangeOutcome> {
  const room = await deps.rooms.room(message.roomId);
  if (room === undefined) return { outcome: "room-unknown" };
  if (!room.active) return { outcome: "room-inactive" };
  switch (message.kind) {
    case "subscription-recreate":
      return { outcome: await replaceRemovedSubscription(deps.subscriptions, room, message.subscriptionId) };
    case "subscription-reauthorize":
      return { outcome: await reauthorizeSubscription(deps.subscriptions, room, message.subscriptionId) };
    case "room-changed":
      return readRoom(deps, room, false, message.receivedAt);
    case "room-resync":
      return readRoom(deps, room, true, message.receivedAt);
  }
}

async function readRoom(
  deps: CalendarChangeDependencies,
  room: Room,
  full: boolean,
  notifiedAt: string | undefined,
): Promise<CalendarChangeOutcome> {
  const now = deps.now();
  const stored = await deps.roomState.get(room.id);
  const delta = stored?.delta;
  const today = windowFrom(now, deps.windowDays);
  // A delta round keeps the window it began with: once the day moves on, the room is read afresh.
  const fresh = delta !== undefined && delta.windowStart === today.start.toISOString();
  let window: CalendarWindow = fresh
    ? { start: new Date(delta.windowStart), end: new Date(delta.windowEnd) }
    : today;
  let readFull = full || !fresh;
  let read: RoomCalendarRead;
  // Marks the start of a full read, so that what a newer read records meanwhile is not removed.
  let since = readFull ? await deps.sink.beginFullRead(room) : undefined;
  try {
    try {
      read = await deps.reader.read(
        room.email,
        readFull || delta === undefined ? { window } : { deltaLink: delta.deltaLink },
      );
    } catch (error) {
      if (readFull || !isGraphCallError(error) || !error.deltaExpired) throw error;
      deps.log?.(`room ${room.id}: delta link expired, reading in full`);
      readFull = true;
      window = today;
      since = await deps.sink.beginFullRead(room);
      read = await deps.reader.read(room.email, { window });
    }
  } catch (error) {
    await recordError(deps, room.id, error, now);
    throw error;
  }
  const applied = await deps.sink.apply(
    room,
    since === undefined
      ? { full: false, window, events: read.events }
      : { full: true, since, window, events: read.events },
  );
  const lastNotificationAt =
    notifiedAt !== undefined && (stored?.lastNotificationAt ?? "") < notifiedAt
      ? { lastNotificationAt: notifiedAt }
      : {};
  await deps.roomState.update(room.id, {
    ...lastNotificationAt,
    lastReadAt: now.toISOString(),
    lastReadKind: readFull ? "full" : "delta",
    eventsRead: read.events.length,
    lastError: null,
    delta: {
      deltaLink: read.deltaLink,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
    },
  });
  deps.log?.(`room ${room.id}: ${readFull ? "full" : "delta"} read, ${read.events.length} events`);
  return {
    outcome: "read",
    full: readFull,
    events: read.events.length,
    upserted: applied.upserted,
    removed: applied.removed,
  };
}

/** From the start of yesterday (UTC) to `days` ahead. */
export function windowFrom(now: Date, days: number): CalendarWindow {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
  return { start, end: new Date(start.getTime() + (days + 1) * 86_400_000) };
}

async function recordError(
  deps: CalendarChangeDependencies,
  roomId: string,
  error: unknown,
  now: Date,
): Promise<void> {
  const requestId = graphRequestIdOf(error);
  await deps.roomState
    .update(roomId, {
      lastError: {
        code: isAppError(error) ? error.code : "unexpected",
        at: now.toISOString(),
        ...(requestId === undefined ? {} : { graphRequestId: requestId }),
      },
    })
    .catch(() => undefined);
}

import { createHash } from "node:crypto";
import { isAppError } from "../../domain/errors";
import { graphRequestIdOf, isGraphCallError } from "../../domain/integration/graph-call-error";
import type { Room } from "../../domain/rooms/room";
import type { GraphTokenProvider } from "../ports/graph-token-provider";
import type { RoomCalendarEvent, RoomCalendarSink, RoomSyncStateStore } from "../ports/room-calendars";
import type { RoomStore } from "../ports/sync-store";
import type { UserRoomCalendarReader } from "../ports/user-room-calendars";
import { windowFrom } from "./process-calendar-change";
import { roomOffsetMs } from "./poll-schedule";

export interface PollDependencies {
  readonly rooms: Pick<RoomStore, "rooms">;
  readonly reader: UserRoomCalendarReader;
  readonly users: Pick<GraphTokenProvider, "usersWithToken">;
  /** The booking sink reading room events with this user's token (the same sink notifications feed). */
  readonly sinkFor: (userId: string) => RoomCalendarSink;
  readonly roomState: RoomSyncStateStore;
  /** Days ahead of today read (CALENDAR_SYNC_DAYS). */
  readonly windowDays: number;
  /** Rooms are started at fixed offsets over this span (a little less than the interval). */
  readonly spreadMs: number;
  /** Rooms read at once (each room's pages are sequential: one request per mailbox at a time). */
  readonly concurrency: number;
  readonly now: () => Date;
  readonly wait: (ms: number) => Promise<void>;
  readonly log?: (message: string) => void;
}

export interface PollCounts {
  readonly rooms: number;
  readonly read: number;
  readonly changed: number;
  /** Rooms no signed-in user may read. */
  readonly noSharingUser: number;
  readonly failed: number;
}

/** Signed-in users tried per room besides the one that read it last. */
const CANDIDATES = 10;

/** One room's poll: what was read and what the sink changed, or that nobody may read the room. */
export type RoomPollOutcome =
  | {
      readonly kind: "read";
      readonly full: boolean;
      readonly events: number;
      readonly upserted: number;
      readonly removed: number;
    }
  | { readonly kind: "no-sharing-user" };

/**
 * The `calendar-poll` timer (delegated modes, where Graph sends no notifications about other
 * people's calendars): each active room's calendar window is read with the token of a signed-in
 * user the room's calendar is shared with, the rooms started at fixed offsets over the interval.
 * Changes go to the same booking sink as notifications. Per room it records who read it, how, and
 * when; a room nobody signed in may read is reported as `no-sharing-user`.
 */
export async function pollRooms(deps: PollDependencies): Promise<PollCounts> {
  const rooms = (await deps.rooms.rooms()).filter((r) => r.active);
  const users = await deps.users.usersWithToken(CANDIDATES);
  const start = deps.now().getTime();
  const queue = rooms
    .map((room) => ({ room, at: start + roomOffsetMs(room.id, deps.spreadMs) }))
    .sort((a, b) => a.at - b.at);
  const counts = { rooms: rooms.length, read: 0, changed: 0, noSharingUser: 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const item = queue[next++] as (typeof queue)[number];
      const delay = item.at - deps.now().getTime();
      if (delay > 0) await deps.wait(delay);
      try {
        const outcome = await pollRoom(deps, item.room, users);
        if (outcome.kind === "no-sharing-user") counts.noSharingUser++;
        else counts.read++;
        if (outcome.kind === "read" && outcome.upserted + outcome.removed > 0) counts.changed++;
      } catch (error) {
        counts.failed++;
        deps.log?.(`poll of room ${item.room.id} failed: ${isAppError(error) ? error.code : "unexpected"}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency, queue.length)) }, worker));
  return counts;
}

/** Is this failure about the user (no rights on the calendar, no working sign-in)? Then try another. */
function userCannotRead(error: unknown): boolean {
  if (isGraphCallError(error)) return error.status === 401 || error.status === 403;
  return isAppError(error) && (error.code === "unauthenticated" || error.code === "forbidden");
}

/** Reads one room with the first user who may; records the outcome on the room. */
export async function pollRoom(
  deps: PollDependencies,
  room: Room,
  signedIn: readonly string[],
): Promise<RoomPollOutcome> {
  const state = await deps.roomState.get(room.id);
  const last = state?.pollUserId;
  const candidates = [...new Set([...(last === undefined ? [] : [last]), ...signedIn])];
  for (const userId of candidates) {
    try {
      return await readAs(deps, room, userId, state, userId === last);
    } catch (error) {
      if (userCannotRead(error)) continue;
      await recordError(deps, room.id, error);
      throw error;
    }
  }
  await deps.roomState.update(room.id, {
    pollAccess: "no-sharing-user",
    pollUserId: null,
    delta: null,
    viewDigest: null,
    lastError: { code: "no-sharing-user", at: deps.now().toISOString() },
  });
  deps.log?.(`room ${room.id}: no signed-in user may read its calendar`);
  return { kind: "no-sharing-user" };
}

/**
 * A full read of one room now (an admin's resync, a missed-changes signal): the room's delta position
 * and last plain read are dropped first, so everything in the window reaches the sink as a full batch.
 */
export async function resyncRoomByPoll(deps: PollDependencies, room: Room): Promise<RoomPollOutcome> {
  await deps.roomState.update(room.id, { delta: null, viewDigest: null });
  return pollRoom(deps, room, await deps.users.usersWithToken(CANDIDATES));
}

type RoomState = Awaited<ReturnType<RoomSyncStateStore["get"]>>;

async function readAs(
  deps: PollDependencies,
  room: Room,
  userId: string,
  state: RoomState,
  sameUser: boolean,
): Promise<RoomPollOutcome> {
  const now = deps.now();
  const window = windowFrom(now, deps.windowDays);
  const windowStart = window.start.toISOString();
  // A room Graph refused delta for is read plainly for the rest of the day, then delta is tried again.
  const viewToday =
    sameUser && state?.pollMethod === "calendarView" && state.viewDigest?.windowStart === windowStart;
  if (!viewToday) {
    const delta = state?.delta;
    const fresh = sameUser && delta !== undefined && delta.windowStart === windowStart;
    // A full read takes the room's next read generation before its first Graph request (see the sink).
    const since = fresh ? undefined : await deps.sinkFor(userId).beginFullRead(room);
    const got = await deps.reader.delta(
      userId,
      room.email,
      fresh ? { deltaLink: delta.deltaLink } : { window },
    );
    if (got.kind === "read") {
      const applied = await deps
        .sinkFor(userId)
        .apply(
          room,
          since === undefined
            ? { full: false, window, events: got.read.events }
            : { full: true, since, window, events: got.read.events },
        );
      await deps.roomState.update(room.id, {
        ...readRecord(now, userId, "delta", !fresh, got.read.events.length),
        delta: { deltaLink: got.read.deltaLink, windowStart, windowEnd: window.end.toISOString() },
        viewDigest: null,
      });
      return {
        kind: "read",
        full: !fresh,
        events: got.read.events.length,
        upserted: applied.upserted,
        removed: applied.removed,
      };
    }
    deps.log?.(`room ${room.id}: Graph refused the delta's links; reading calendarView`);
  }
  const since = await deps.sinkFor(userId).beginFullRead(room);
  const events = await deps.reader.view(userId, room.email, window);
  const digest = digestOf(events);
  const unchanged =
    sameUser && state?.viewDigest?.digest === digest && state.viewDigest.windowStart === windowStart;
  const applied = unchanged
    ? { upserted: 0, removed: 0 }
    : await deps.sinkFor(userId).apply(room, { full: true, since, window, events });
  await deps.roomState.update(room.id, {
    ...readRecord(now, userId, "calendarView", true, events.length),
    delta: null,
    viewDigest: { digest, windowStart },
  });
  return {
    kind: "read",
    full: true,
    events: events.length,
    upserted: applied.upserted,
    removed: applied.removed,
  };
}

function readRecord(
  now: Date,
  userId: string,
  method: "delta" | "calendarView",
  full: boolean,
  events: number,
) {
  return {
    lastPollAt: now.toISOString(),
    lastReadAt: now.toISOString(),
    lastReadKind: full ? ("full" as const) : ("delta" as const),
    eventsRead: events,
    pollUserId: userId,
    pollAccess: "ok" as const,
    pollMethod: method,
    lastError: null,
  };
}

/** A digest of what a plain read saw: any change to an event changes its changeKey or times. */
function digestOf(events: readonly RoomCalendarEvent[]): string {
  const lines = events
    .map((e) =>
      [e.id, e.changeKey ?? "", e.start ?? "", e.end ?? "", e.isCancelled === true ? "c" : ""].join("|"),
    )
    .sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

async function recordError(deps: PollDependencies, roomId: string, error: unknown): Promise<void> {
  const requestId = graphRequestIdOf(error);
  await deps.roomState
    .update(roomId, {
      lastError: {
        code: isAppError(error) ? error.code : "unexpected",
        at: deps.now().toISOString(),
        ...(requestId === undefined ? {} : { graphRequestId: requestId }),
      },
    })
    .catch(() => undefined);
}

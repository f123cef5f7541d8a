import { isAppError } from "../../domain/errors";
import type { Room } from "../../domain/rooms/room";
import type { BookingStore } from "../ports/booking-store";
import type {
  CalendarWindow,
  RoomCalendarEvent,
  RoomCalendarReader,
  RoomCalendarSink,
  RoomSyncStateStore,
} from "../ports/room-calendars";
import type { RoomStore } from "../ports/sync-store";

export interface ReconcileDependencies {
  readonly rooms: Pick<RoomStore, "rooms">;
  readonly reader: RoomCalendarReader;
  readonly sink: RoomCalendarSink;
  readonly slots: Pick<BookingStore, "roomSlots">;
  readonly roomState: Pick<RoomSyncStateStore, "update">;
  /** Days ahead of now compared (CALENDAR_RECONCILE_DAYS). */
  readonly days: number;
  readonly now: () => Date;
  readonly log?: (message: string) => void;
}

export interface ReconcileCounts {
  readonly rooms: number;
  readonly driftFound: number;
  readonly driftRepaired: number;
  readonly failed: number;
}

const slotKey = (start: number, end: number): string => `${start}|${end}`;

/** How many times each busy time occurs. */
type Times = ReadonlyMap<string, number>;

function count(keys: Iterable<string>): Times {
  const out = new Map<string, number>();
  for (const k of keys) out.set(k, (out.get(k) ?? 0) + 1);
  return out;
}

/** The room's busy times as Exchange has them (cancelled copies hold nothing). */
function exchangeTimes(events: readonly RoomCalendarEvent[]): Times {
  return count(
    events.flatMap((e) =>
      e.removed ||
      e.isCancelled === true ||
      e.type === "seriesMaster" ||
      e.start === undefined ||
      e.end === undefined
        ? []
        : [slotKey(Date.parse(e.start), Date.parse(e.end))],
    ),
  );
}

async function onesTimes(deps: ReconcileDependencies, roomId: string, w: CalendarWindow): Promise<Times> {
  const slots = await deps.slots.roomSlots(roomId, w.start.getTime(), w.end.getTime());
  return count(slots.map((s) => slotKey(s.start, s.end)));
}

/** Busy times on one side and not the other, as multisets (a time held twice in ONES is one too many). */
function drift(a: Times, b: Times): number {
  let n = 0;
  for (const k of new Set([...a.keys(), ...b.keys()])) n += Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
  return n;
}

/**
 * The `calendar-reconcile` timer: for each active room, reads the coming days of its calendar from
 * Graph in full (without touching the room's delta position), compares the busy times with the slots
 * ONES holds, and hands the read to the sink as a full batch, which adds what ONES missed and frees
 * what Exchange no longer has. Per room it records when, the drift found and how much of it is gone
 * after the repair. A room that fails is recorded and the run goes on.
 */
export async function reconcileRooms(deps: ReconcileDependencies): Promise<ReconcileCounts> {
  const rooms = (await deps.rooms.rooms()).filter((r) => r.active);
  let found = 0;
  let repaired = 0;
  let failed = 0;
  for (const room of rooms) {
    try {
      const r = await reconcileRoom(deps, room);
      found += r.found;
      repaired += r.repaired;
    } catch (error) {
      failed++;
      deps.log?.(`reconcile of room ${room.id} failed: ${isAppError(error) ? error.code : "unexpected"}`);
    }
  }
  return { rooms: rooms.length, driftFound: found, driftRepaired: repaired, failed };
}

export async function reconcileRoom(
  deps: ReconcileDependencies,
  room: Room,
): Promise<{ found: number; repaired: number }> {
  const now = deps.now();
  const window = { start: now, end: new Date(now.getTime() + deps.days * 86_400_000) };
  const since = await deps.sink.beginFullRead(room);
  const read = { ...(await deps.reader.read(room.email, { window })), window };
  const exchange = exchangeTimes(read.events);
  const found = drift(exchange, await onesTimes(deps, room.id, window));
  let left = 0;
  if (found > 0) {
    const applied = await deps.sink.apply(room, { full: true, since, window, events: read.events });
    left = drift(exchange, await onesTimes(deps, room.id, window));
    // What the events could not settle (a booking's schedule and its document apart, a booking
    // that ended still holding its slots): each booking concerned is set as its document says. The
    // batch's own changes do not make a booking "changed meanwhile".
    if (
      left > 0 &&
      deps.sink.repair !== undefined &&
      (await deps.sink.repair(room, read, now, applied.saved)) > 0
    )
      left = drift(exchange, await onesTimes(deps, room.id, window));
  }
  const repaired = found - left;
  await deps.roomState.update(room.id, {
    lastReconcileAt: now.toISOString(),
    driftFound: found,
    driftRepaired: repaired,
  });
  if (found > 0) deps.log?.(`room ${room.id}: reconcile found ${found} drift, repaired ${repaired}`);
  return { found, repaired };
}

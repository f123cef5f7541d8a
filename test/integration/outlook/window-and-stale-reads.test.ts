import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GraphRoomCalendarReader } from "../../../shared/adapters/graph/graph-room-calendar-reader";
import { GraphRoomEventGateway } from "../../../shared/adapters/graph/graph-room-events";
import { BOOKINGS_TABLE, TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { ROOM_EVENTS_TABLE, TableRoomEventIndex } from "../../../shared/adapters/tables/table-room-events";
import { SUBSCRIPTIONS_TABLE } from "../../../shared/adapters/tables/table-room-subscriptions";
import {
  ROOM_SYNC_TABLE,
  TableRoomSyncStateStore,
} from "../../../shared/adapters/tables/table-room-sync-state";
import { TableRoomStore } from "../../../shared/adapters/tables/table-rooms";
import { bookingSink, outlookBookingId } from "../../../shared/app/calendar/booking-sink";
import { windowFrom } from "../../../shared/app/calendar/process-calendar-change";
import { bookingDependencies } from "../../../shared/composition/bookings";
import { holdClaims } from "../../../shared/composition/holds";
import { mailboxId, type Room } from "../../../shared/domain/rooms/room";
import { eventually } from "../../support/eventually";
import { clearOfUtcMidnight } from "../../support/clock";
import { GraphClient } from "../../../shared/adapters/graph/graph-client";
import { peopleAt, utcAt } from "../m365/calendar-helpers";
import { demoAppToken } from "../m365/helpers";
import { clearTable, ROOMS, startOutlookStack, type OutlookStack } from "./harness";

/**
 * What Graph's `calendarView/delta` answers is not always the whole truth or the newest one: a meeting
 * moved out of the read window comes as `@removed` like a deleted one, and two reads of one room at once
 * can hand the sink an older version of an event after a newer one. ONES must follow the room's
 * calendar as it is now in both cases.
 */
let s: OutlookStack;
let store: TableBookingStore;
let links: TableRoomEventIndex;
const ROOM = mailboxId(ROOMS[0]);

beforeAll(async () => {
  s = await startOutlookStack();
  store = new TableBookingStore(s.services.tables);
  links = new TableRoomEventIndex(s.services.tables);
});
afterAll(async () => {
  await s.stop();
});
beforeEach(async () => {
  s.sim.control.seed("demo");
  s.sim.control.faults.reset();
  for (const t of [SUBSCRIPTIONS_TABLE, ROOM_SYNC_TABLE, ROOM_EVENTS_TABLE, BOOKINGS_TABLE, "roombookings"])
    await clearTable(s.services.tables, t);
  s.clock = clearOfUtcMidnight();
  s.sim.control.notifications.resetFaults();
  s.sim.control.notifications.configure({ autoDeliver: false });
  await s.receive(100, 300);
  await s.calendar.maintainSubscriptions();
  await settle(); // the new subscription's full read
});

const organizer = () => peopleAt(s.sim, "fabrikam.example")[0]?.data.userPrincipalName as string;
const instant = (local: string) => Date.parse(`${local}Z`);

function meeting(day: number, hour: number) {
  const start = utcAt(s.sim, day, hour);
  return s.sim.control.calendar.createMeeting({
    organizer: organizer(),
    subject: "Planning",
    start,
    end: new Date(instant(start) + 30 * 60_000).toISOString().slice(0, 19),
    rooms: [ROOMS[0]],
  });
}

function move(organizerEventId: string, day: number, hour: number): void {
  const start = utcAt(s.sim, day, hour);
  s.sim.control.calendar.updateMeeting(organizer(), organizerEventId, {
    start,
    end: new Date(instant(start) + 30 * 60_000).toISOString().slice(0, 19),
  });
}

function roomCopyId(iCalUId: string): string {
  const events = s.sim.control.calendar.events(ROOMS[0]) as { id: string; iCalUId: string }[];
  const copy = events.find((e) => e.iCalUId === iCalUId);
  if (copy === undefined) throw new Error("no room copy");
  return copy.id;
}

/** Delivers the notifications and processes what they queued, until the queue stays empty. */
async function settle(): Promise<void> {
  await s.sim.control.notifications.flush();
  for (;;) {
    const got = await s.receive(100, 400);
    if (got.length === 0) return;
    for (const m of got) await s.calendar.processCalendarChange(m.body);
  }
}

async function booked(id: string): Promise<{ state: string; start: string; slots: string[] }> {
  const b = (await store.get(id))?.booking;
  if (b === undefined) throw new Error(`no booking ${id}`);
  return {
    state: b.state,
    start: new Date(b.start).toISOString(),
    slots: (b.reserved[ROOM] ?? []).map((x) => new Date(x.start).toISOString()),
  };
}

/** The room as the sink knows it (the rooms store's record). */
async function room(): Promise<Room> {
  const found = await new TableRoomStore(s.services.tables).room(ROOM);
  if (found === undefined) throw new Error("room not stored");
  return found;
}

describe("events Graph stops listing, and older reads", { timeout: 120_000 }, () => {
  it("a meeting moved out of the read window keeps its booking at its new time; cancelled, it is freed", async () => {
    const made = meeting(2, 9);
    await settle();
    const id = outlookBookingId(ROOM, roomCopyId(made.iCalUId as string));
    expect(await booked(id)).toEqual({
      state: "confirmed",
      start: `${utcAt(s.sim, 2, 9)}.000Z`,
      slots: [`${utcAt(s.sim, 2, 9)}.000Z`],
    });

    // Past CALENDAR_SYNC_DAYS (180), within the room's own booking window (else the room declines
    // the move and the copy goes): the room's delta now lists the event under `@removed`.
    s.sim.control.calendar.setCalendarProcessing(ROOMS[0], { bookingWindowInDays: 365 });
    const seq = s.sim.control.log.lastSeq;
    move(made.id as string, 200, 9);
    await settle();
    const delta = s.sim.control.log
      .entries({ path: /\/calendarView\/delta$/i, sinceSeq: seq })
      .filter((e) => e.status === 200);
    expect(delta.length).toBe(1);
    expect(await booked(id)).toEqual({
      state: "confirmed",
      start: `${utcAt(s.sim, 200, 9)}.000Z`,
      slots: [`${utcAt(s.sim, 200, 9)}.000Z`],
    });
    expect((await links.get(ROOM, roomCopyId(made.iCalUId as string)))?.bookingId).toBe(id);

    // Back into the window, then cancelled: ONES follows both.
    move(made.id as string, 3, 11);
    await settle();
    expect((await booked(id)).slots).toEqual([`${utcAt(s.sim, 3, 11)}.000Z`]);
    s.sim.control.calendar.cancelMeeting(organizer(), made.id as string, {});
    await settle();
    expect(await booked(id)).toEqual({ state: "cancelled", start: `${utcAt(s.sim, 3, 11)}.000Z`, slots: [] });
  });

  it("a full read keeps a meeting moved out of its window and followed there", async () => {
    const made = meeting(2, 9);
    await settle();
    const id = outlookBookingId(ROOM, roomCopyId(made.iCalUId as string));
    // Moved out while no notification reaches ONES: only the reconcile's full read sees it gone.
    s.sim.control.calendar.setCalendarProcessing(ROOMS[0], { bookingWindowInDays: 365 });
    s.sim.control.notifications.faults({ dropRate: 1 });
    move(made.id as string, 200, 9);
    s.sim.control.notifications.resetFaults();
    await s.calendar.reconcile();
    expect(await booked(id)).toEqual({
      state: "confirmed",
      start: `${utcAt(s.sim, 200, 9)}.000Z`,
      slots: [`${utcAt(s.sim, 200, 9)}.000Z`],
    });
  });

  it("a delta read listing a known meeting moves its link on to the room's read generation", async () => {
    const made = meeting(1, 9);
    await settle();
    const copy = roomCopyId(made.iCalUId as string);
    const before = (await links.get(ROOM, copy))?.generation ?? 0;

    // A full read (the reconcile's) begins a newer generation; then the meeting changes and a
    // notification's delta read lists it again.
    await s.calendar.reconcile();
    const generation = await links.generation(ROOM);
    expect(generation).toBeGreaterThan(before);
    move(made.id as string, 1, 13);
    await settle();
    const link = await links.get(ROOM, copy);
    expect(link?.generation).toBe(generation);
    const now = s.sim.control.calendar.events(ROOMS[0]).find((e) => e.id === copy);
    expect(link?.modifiedAt).toBe(new Date(Date.parse(now?.lastModifiedDateTime ?? "")).toISOString());
  });

  it("an older read of an event applied after a newer one leaves the newer version", async () => {
    const made = meeting(2, 9);
    await settle();
    const copy = roomCopyId(made.iCalUId as string);
    const id = outlookBookingId(ROOM, copy);

    // Two reads of the room's changes from the same delta link, one before and one after a move.
    // The app's Graph client with the demo app's app-only token (as the consumer has it).
    const token = await demoAppToken(s.sim);
    const graph = new GraphClient({ baseUrl: s.sim.graphBaseUrl, token: () => Promise.resolve(token) });
    const reader = new GraphRoomCalendarReader(graph);
    const state = await new TableRoomSyncStateStore(s.services.tables).get(ROOM);
    const deltaLink = state?.delta?.deltaLink as string;
    move(made.id as string, 2, 11);
    const older = await reader.read(ROOMS[0], { deltaLink });
    // Graph's lastModifiedDateTime has milliseconds here: the next change is a later instant.
    await eventually(() => s.sim.control.clock.now() > Date.parse(older.events[0]?.lastModified ?? "") + 2);
    move(made.id as string, 2, 14);
    await settle();
    expect((await booked(id)).slots).toEqual([`${utcAt(s.sim, 2, 14)}.000Z`]);

    // The older read reaches the sink last (a slow worker): nothing goes back.
    const sink = bookingSink({
      bookings: { ...bookingDependencies(), now: () => s.clock },
      links,
      events: () => Promise.resolve(new GraphRoomEventGateway(graph)),
      holds: holdClaims(),
      roomState: new TableRoomSyncStateStore(s.services.tables),
    });
    expect(older.events.map((e) => [e.id, e.start])).toEqual([[copy, `${utcAt(s.sim, 2, 11)}.000Z`]]);
    const applied = await sink.apply(await room(), {
      full: false,
      window: windowFrom(s.clock, 180),
      events: older.events,
    });
    expect(applied).toEqual({ upserted: 0, removed: 0, saved: new Map() });
    expect(await booked(id)).toEqual({
      state: "confirmed",
      start: `${utcAt(s.sim, 2, 14)}.000Z`,
      slots: [`${utcAt(s.sim, 2, 14)}.000Z`],
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BOOKINGS_TABLE, TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { ROOM_EVENTS_TABLE, TableRoomEventIndex } from "../../../shared/adapters/tables/table-room-events";
import { SUBSCRIPTIONS_TABLE } from "../../../shared/adapters/tables/table-room-subscriptions";
import { ROOM_SYNC_TABLE } from "../../../shared/adapters/tables/table-room-sync-state";
import { outlookBookingId } from "../../../shared/app/calendar/booking-sink";
import { windowFrom } from "../../../shared/app/calendar/process-calendar-change";
import { mailboxId } from "../../../shared/domain/rooms/room";
import { eventually } from "../../support/eventually";
import { clearOfUtcMidnight } from "../../support/clock";
import { peopleAt, utcAt } from "../m365/calendar-helpers";
import { clearTable, ROOMS, startOutlookStack, type OutlookStack } from "./harness";

/**
 * Two reads of one room's calendar at once (a notification's read during a resync): the older full
 * read must not take away what the newer read recorded. The full read is stopped by a simulator hold
 * after Graph answered it, the meeting is made and recorded by the notification's read, then the full
 * read goes on.
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
});

const organizer = () => peopleAt(s.sim, "fabrikam.example")[0]?.data.userPrincipalName as string;

function meeting(day: number, hour: number) {
  const start = utcAt(s.sim, day, hour);
  const end = new Date(Date.parse(`${start}Z`) + 30 * 60_000).toISOString().slice(0, 19);
  return s.sim.control.calendar.createMeeting({
    organizer: organizer(),
    subject: "Planning",
    start,
    end,
    rooms: [ROOMS[0]],
  });
}

function roomCopyId(iCalUId: string): string {
  const events = s.sim.control.calendar.events(ROOMS[0]) as { id: string; iCalUId: string }[];
  const copy = events.find((e) => e.iCalUId === iCalUId);
  if (copy === undefined) throw new Error("no room copy");
  return copy.id;
}

/** Takes every queued calendar change and processes it, until the queue stays empty. */
async function settle(): Promise<void> {
  for (;;) {
    const got = await s.receive(100, 400);
    if (got.length === 0) return;
    for (const m of got) await s.calendar.processCalendarChange(m.body);
  }
}

async function onesSlots(): Promise<string[]> {
  const w = windowFrom(s.clock, 180);
  const slots = await store.roomSlots(ROOM, w.start.getTime(), w.end.getTime());
  return slots.map((x) => `${new Date(x.start).toISOString()}|${new Date(x.end).toISOString()}`).sort();
}

describe("concurrent reads of one room", { timeout: 120_000 }, () => {
  it("a full read begun before a meeting existed leaves it when a newer read recorded it", async () => {
    await s.calendar.maintainSubscriptions();
    await settle(); // the new subscription's full read
    const before = await onesSlots();

    // A meeting ONES has not read yet: both reads ask Graph about it, and that is where they stop.
    const later = meeting(3, 14);
    const laterCopy = roomCopyId(later.iCalUId as string);
    const release = s.sim.control.faults.hold(
      `/users/${encodeURIComponent(ROOMS[0])}/events/${encodeURIComponent(laterCopy)}`,
    );
    const seq = s.sim.control.log.lastSeq;
    const fullRead = s.calendar.processCalendarChange({ kind: "room-resync", roomId: ROOM, reason: "admin" });
    let notified: Promise<void> | undefined;
    let madeCopy = "";
    try {
      // Graph has answered the full read: it cannot list what is made from here on.
      await eventually(() =>
        s.sim.control.log
          .entries({ path: /\/calendarView\/delta$/i, sinceSeq: seq })
          .some((e) => e.status === 200 && e.query.includes("startDateTime")),
      );

      // The meeting, earlier in the day order, so the notification's read records it first.
      const made = meeting(2, 9);
      madeCopy = roomCopyId(made.iCalUId as string);
      await s.sim.control.notifications.flush();
      const queued = await s.receive(100, 5_000);
      expect(queued.map((m) => m.body.kind)).toContain("room-changed");
      notified = (async () => {
        for (const m of queued) await s.calendar.processCalendarChange(m.body);
      })();
      await eventually(async () => (await links.get(ROOM, madeCopy))?.bookingId !== undefined, {
        explain: () => "the notification's read did not record the new meeting",
      });
    } finally {
      release();
    }
    await fullRead;
    await notified;

    const booking = (await store.get(outlookBookingId(ROOM, madeCopy)))?.booking;
    expect(booking?.state).toBe("confirmed");
    expect(booking?.reserved[ROOM]?.map((x) => new Date(x.start).toISOString())).toEqual([
      `${utcAt(s.sim, 2, 9)}.000Z`,
    ]);
    expect((await links.get(ROOM, madeCopy))?.bookingId).toBe(booking?.id);
    expect(await onesSlots()).toEqual(
      [
        ...before,
        `${utcAt(s.sim, 2, 9)}.000Z|${utcAt(s.sim, 2, 9, 30)}.000Z`,
        `${utcAt(s.sim, 3, 14)}.000Z|${utcAt(s.sim, 3, 14, 30)}.000Z`,
      ].sort(),
    );

    // A later full read (the reconcile's) keeps it and finds nothing to repair.
    const counts = await s.calendar.reconcile();
    expect(counts).toEqual({ rooms: 2, driftFound: 0, driftRepaired: 0, failed: 0 });
    expect((await store.get(outlookBookingId(ROOM, madeCopy)))?.booking.state).toBe("confirmed");
  });

  it("the room's read generation only moves on, and is no link of the room", async () => {
    const room = "room-generation-test";
    expect(await links.generation(room)).toBe(0);
    expect(await links.beginFullRead(room)).toBe(1);
    // Concurrent full reads: each answer is at most where the counter ends, which never goes back.
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => links.beginFullRead(room)));
    const after = await links.generation(room);
    expect(Math.min(...answers)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...answers)).toBe(after);
    expect(await links.beginFullRead(room)).toBe(after + 1);
    await links.put(room, {
      eventId: "event-1",
      bookingId: "booking-1",
      key: "2026-01-01T09:00:00.000Z",
      generation: 3,
    });
    expect(await links.ofRoom(room)).toEqual([
      { eventId: "event-1", bookingId: "booking-1", key: "2026-01-01T09:00:00.000Z", generation: 3 },
    ]);
  });
});

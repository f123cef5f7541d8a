import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { recoverPendingBookings } from "../../../shared/composition/bookings";
import { getServices } from "../../../shared/composition/services";
import { eventually } from "../../support/eventually";
import { recovered } from "../../support/recovered";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * A cancel ONES accepted reaches Exchange whatever happens around it: a worker that died between
 * saving `cancelled` and queueing the command leaves the cancel owed, and the recovery sweep completes
 * it; a cancel that runs while the booking's event is still being written never lets the write leave
 * a live event behind. So does a room display's auto-release: one saved owed by a timer run that died
 * before queueing its `release` is queued again by the sweep, and the rooms leave Exchange.
 */
let s: BookingStack;
let ann: Person;

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.cancel@contoso.example", "Ann Cancel");
}, 120_000);
afterAll(async () => {
  s?.auth.sim.control.faults.reset();
  await s?.stop();
});

interface View {
  id: string;
  state: string;
}

interface GraphEvent {
  id: string;
  isCancelled: boolean;
  start: { dateTime: string };
}

const store = () => new TableBookingStore(getServices().tables);

async function book(room: string, start: string, end: string, subject: string): Promise<View> {
  const answer = await s.call(ann, "POST", "/api/bookings", { roomIds: [room], start, end, subject });
  expect(answer.status).toBe(202);
  return (await answer.json()) as View;
}

async function stateOf(id: string): Promise<string | undefined> {
  return (await store().get(id))?.booking.state;
}

/** The organizer's events stamped with the booking id (a cancelled event leaves the calendar). */
async function organizerEvents(id: string): Promise<string[]> {
  const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${id}')`;
  const page = await s.graph<{ value: GraphEvent[] }>(
    `/users/${ann.upn}/events?$filter=${encodeURIComponent(filter)}`,
  );
  return page.value.map((e) => e.id);
}

/** How many live (not cancelled) events starting at `start` the room's calendar holds. */
async function liveInRoom(room: string, start: string): Promise<number> {
  const page = await s.graph<{ value: GraphEvent[] }>(`/users/${room}/events?$top=500`);
  const at = Date.parse(start);
  return page.value.filter((e) => !e.isCancelled && Date.parse(`${e.start.dateTime}Z`) === at).length;
}

const commandsInFlight = (): number => s.bus.stats()["booking-commands"]?.locked ?? 0;

/** Waits until booking-commands holds no message (ready, locked or scheduled). */
async function commandsDrained(): Promise<void> {
  await eventually(
    () => {
      const c = s.bus.stats()["booking-commands"];
      return c !== undefined && c.active + c.locked + c.scheduled === 0;
    },
    { timeoutMs: 30_000, explain: () => JSON.stringify(s.bus.stats()["booking-commands"]) },
  );
}

describe("an accepted cancel is never lost and never overtaken", () => {
  it("a cancel saved by a worker that died before queueing its command is completed by the sweep", async () => {
    const room = "room-hq-201@contoso.example";
    const made = await book(room, "2027-03-09T09:00:00Z", "2027-03-09T10:00:00Z", "Lost cancel");
    await eventually(async () => (await stateOf(made.id)) === "confirmed", {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} not confirmed`,
    });
    expect(await organizerEvents(made.id)).toHaveLength(1);
    expect(await liveInRoom(room, "2027-03-09T09:00:00Z")).toBe(1);

    // What DELETE /api/bookings/{id} saves before it queues the cancel, 20 minutes ago; the worker died
    // there, so no command exists.
    const stored = await store().get(made.id);
    if (stored === undefined) throw new Error("booking missing");
    await store().reserve(made.id, [{ roomId: room, slots: [] }], { force: true });
    const past = new Date(s.now().getTime() - 20 * 60_000).toISOString();
    await store().replace(
      {
        ...stored.booking,
        state: "cancelled",
        calendarOwed: "cancel",
        reserved: {},
        version: stored.booking.version + 1,
        updatedAt: past,
      },
      stored.etag,
    );
    // Nothing was queued: the event is still live.
    expect(await liveInRoom(room, "2027-03-09T09:00:00Z")).toBe(1);

    expect(await recoverPendingBookings()).toEqual(recovered({ cancels: 1 }));
    await eventually(async () => (await store().get(made.id))?.booking.calendarOwed === undefined, {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} still owes its cancel`,
    });
    expect(await organizerEvents(made.id)).toEqual([]);
    await eventually(async () => (await liveInRoom(room, "2027-03-09T09:00:00Z")) === 0, {
      timeoutMs: 30_000,
      explain: () => `the room ${room} still shows the meeting`,
    });
    expect(await stateOf(made.id)).toBe("cancelled");
    // Nothing is owed any more: the next sweep queues nothing.
    expect(await recoverPendingBookings()).toEqual(recovered());
  });

  it("a cancel arriving while the event is being written leaves no live event", async () => {
    const room = "room-hq-202@contoso.example";
    // The write stops at its first Graph request (the look for an event already made, then the create).
    const release = s.auth.sim.control.faults.hold(`/users/${encodeURIComponent(ann.upn)}/events`);
    let released = false;
    try {
      const made = await book(room, "2027-03-10T09:00:00Z", "2027-03-10T10:00:00Z", "Overtaken write");
      await eventually(() => commandsInFlight() === 1, {
        timeoutMs: 30_000,
        explain: () => `booking-commands in flight: ${commandsInFlight()}`,
      });
      const cancelled = await s.call(ann, "DELETE", `/api/bookings/${made.id}`);
      expect(cancelled.status).toBe(202);
      expect(((await cancelled.json()) as View).state).toBe("cancelled");
      expect((await store().get(made.id))?.booking.calendarOwed).toBe("cancel");
      // The cancel runs too, while the write still waits for Graph.
      await eventually(() => commandsInFlight() === 2, {
        timeoutMs: 30_000,
        explain: () => `booking-commands in flight: ${commandsInFlight()}`,
      });
      release();
      released = true;
      await commandsDrained();
      expect(await organizerEvents(made.id)).toEqual([]);
      await eventually(async () => (await liveInRoom(room, "2027-03-10T09:00:00Z")) === 0, {
        timeoutMs: 30_000,
        explain: () => `the room ${room} still shows the overtaken write`,
      });
      const final = (await store().get(made.id))?.booking;
      expect(final?.state).toBe("cancelled");
      expect(final?.calendarOwed).toBeUndefined();
      expect(final?.reserved).toEqual({});
    } finally {
      if (!released) release();
    }
  });
});

describe("an auto-release ONES recorded is never lost", () => {
  it("a release saved by a timer run that died before queueing it is queued again by the sweep, once", async () => {
    const [roomA, roomB] = ["room-hq-203@contoso.example", "room-hq-204@contoso.example"] as const;
    const rooms = [roomA, roomB];
    const start = "2027-03-11T09:00:00Z";
    const key = "2027-03-11T09:00:00.000Z";
    const answer = await s.call(ann, "POST", "/api/bookings", {
      roomIds: rooms,
      start,
      end: "2027-03-11T10:00:00Z",
      subject: "Lost release",
    });
    expect(answer.status).toBe(202);
    const made = (await answer.json()) as View;
    await eventually(async () => (await stateOf(made.id)) === "confirmed", {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} not confirmed`,
    });
    await commandsDrained();
    expect([await liveInRoom(roomA, start), await liveInRoom(roomB, start)]).toEqual([1, 1]);

    // What the auto-release timer saves for both rooms (nobody checked in) before it queues their
    // `release`, 20 minutes ago; the run died there, so no command exists.
    const stored = await store().get(made.id);
    if (stored === undefined) throw new Error("booking missing");
    const owed = rooms.map((roomId) => ({ roomId, key }));
    await store().replace(
      {
        ...stored.booking,
        presence: { checkedIn: [], extended: [], released: [key] },
        releasesOwed: owed,
        version: stored.booking.version + 1,
        updatedAt: new Date(s.now().getTime() - 20 * 60_000).toISOString(),
      },
      stored.etag,
      stored.booking,
    );
    expect(s.bus.stats()["booking-commands"]?.scheduled).toBe(0);

    expect(await recoverPendingBookings()).toEqual(recovered({ releases: 2 }));
    await eventually(async () => (await store().get(made.id))?.booking.releasesOwed === undefined, {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} still owes its releases`,
    });
    await commandsDrained();
    // Exchange has the rooms back: each room's copy is cancelled; the organizer keeps the meeting.
    expect([await liveInRoom(roomA, start), await liveInRoom(roomB, start)]).toEqual([0, 0]);
    const [eventId] = await organizerEvents(made.id);
    const event = await s.graph<{ attendees: { emailAddress: { address: string } }[] }>(
      `/users/${ann.upn}/events/${eventId}`,
    );
    expect(event.attendees.map((a) => a.emailAddress.address.toLowerCase())).toEqual([]);
    const released = (await store().get(made.id))?.booking;
    if (released === undefined) throw new Error("booking missing");
    expect([released.state, released.reason, released.reserved]).toEqual([
      "cancelled",
      "Released: nobody checked in.",
      { [roomA]: [], [roomB]: [] },
    ]);
    const from = Date.parse(start);
    for (const room of rooms) expect(await store().roomSlots(room, from, from + 3_600_000)).toEqual([]);

    // Nothing is owed any more: the next sweep queues nothing, and a release delivered again changes
    // nothing.
    expect(await recoverPendingBookings()).toEqual(recovered());
    await getServices().workQueue.enqueue("booking-commands", {
      id: `release-again-${made.id}`,
      body: {
        command: "release",
        bookingId: made.id,
        version: released.version,
        roomId: roomA,
        occurrence: key,
      },
    });
    await commandsDrained();
    expect((await store().get(made.id))?.booking.version).toBe(released.version);
  });
});

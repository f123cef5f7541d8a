import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { getServices } from "../../../shared/composition/services";
import type { Booking } from "../../../shared/domain/bookings/booking";
import { AppError } from "../../../shared/domain/errors";
import { eventually } from "../../support/eventually";
import { recovered } from "../../support/recovered";
import { startDurableStack, utc, type DurableStack, type GraphEvent } from "./durable-stack";
import { dyingAtGraph, refusedAtGraph, sweepLater } from "./dying";

/**
 * A room display's change reaches the room calendar even when the host dies in the middle of it: the
 * action saves the booking owing its calendar write (the booking outbox) before it calls Graph, so a
 * request that never gets past Graph (here: a gateway whose write never returns, as a killed host's)
 * leaves the change in ONES with its mark, and the recovery sweep queues the write the consumer
 * completes. The app's clock is injected; the meetings lie in 2027.
 */
let d: DurableStack;
let clock = Date.parse("2027-04-05T08:00:00Z");
const at = (iso: string): void => {
  clock = Date.parse(iso);
};

const WALK_IN_ROOM = "room-hq-104@contoso.example";
const EXTEND_ROOM = "room-hq-105@contoso.example";
const SERIES_ROOM = "room-hq-201@contoso.example";

beforeAll(async () => {
  d = await startDurableStack(() => clock);
}, 180_000);
afterAll(async () => {
  await d?.stop();
});

const store = () => new TableBookingStore(getServices().tables);
const booking = (id: string): Promise<Booking> => d.booking(id);
const pairedFor = (roomId: string): Promise<string> => d.pairedFor(roomId);
const eventsOf = (mailbox: string, bookingId: string): Promise<GraphEvent[]> =>
  d.eventsOf(mailbox, bookingId);
const confirmed = (body: Record<string, unknown>): Promise<string> => d.confirmed(body);

// The actions' own follow-ups stay scheduled (the broker keeps the wall clock, the meetings lie in
// 2027): these tests prove the sweep; follow-up.test.ts proves the follow-ups.
const settledBus = () => {
  const c = d.commands();
  return c.active + c.locked === 0;
};
const waitForBus = () =>
  eventually(settledBus, {
    timeoutMs: 60_000,
    explain: () => JSON.stringify(d.commands()),
  });

describe("a display action whose host dies at the Graph write", () => {
  it("a walk-in stored and reserved but not in the room's calendar is written there by the sweep", async () => {
    const credential = await pairedFor(WALK_IN_ROOM);
    at("2027-04-05T09:10:30Z");
    expect(await dyingAtGraph(() => clock, credential, { action: "book-now", minutes: 30 })).toBe("create");
    const entries = await store().roomSlots(
      WALK_IN_ROOM,
      Date.parse("2027-04-05T09:00:00Z"),
      clock + 3_600_000,
    );
    expect(entries).toHaveLength(1);
    const id = entries[0]?.bookingId ?? "";
    const saved = await booking(id);
    expect([saved.state, saved.calendarOwed, saved.calendar?.eventId, saved.presence?.checkedIn]).toEqual([
      "confirmed",
      "write",
      undefined,
      ["2027-04-05T09:10:00.000Z"],
    ]);
    expect(await eventsOf(WALK_IN_ROOM, id)).toEqual([]);

    expect(await sweepLater(clock)).toEqual(recovered({ rewritten: 1 }));
    await waitForBus();
    const events = await eventsOf(WALK_IN_ROOM, id);
    expect(
      events.map((e) => [
        e.isCancelled,
        e.organizer.emailAddress.address.toLowerCase(),
        utc(e.start.dateTime),
        utc(e.end.dateTime),
        e.attendees.length,
      ]),
    ).toEqual([[false, WALK_IN_ROOM, "2027-04-05T09:10:00.000Z", "2027-04-05T09:40:00.000Z", 0]]);
    const after = await booking(id);
    expect([after.state, after.calendarOwed, after.calendar?.eventId]).toEqual([
      "confirmed",
      undefined,
      events[0]?.id,
    ]);
    // Completed: the next sweep finds nothing owed.
    expect(await sweepLater(clock)).toEqual(recovered());
  });

  it("an extension saved in ONES but not in the organizer's event is written there by the sweep", async () => {
    const credential = await pairedFor(EXTEND_ROOM);
    at("2027-04-05T08:00:00Z");
    const id = await confirmed({
      roomIds: [EXTEND_ROOM],
      start: "2027-04-05T10:00:00Z",
      end: "2027-04-05T11:00:00Z",
    });
    at("2027-04-05T10:20:00Z");
    const itemId = `${id}|2027-04-05T10:00:00.000Z`;
    expect(await dyingAtGraph(() => clock, credential, { action: "extend", itemId, minutes: 30 })).toBe(
      "update",
    );
    const saved = await booking(id);
    expect([saved.end, saved.calendarOwed, saved.presence?.extended, saved.reserved[EXTEND_ROOM]]).toEqual([
      Date.parse("2027-04-05T11:30:00Z"),
      "write",
      ["2027-04-05T10:00:00.000Z"],
      [
        {
          key: "2027-04-05T10:00:00.000Z",
          start: Date.parse("2027-04-05T10:00:00Z"),
          end: Date.parse("2027-04-05T11:30:00Z"),
        },
      ],
    ]);
    expect((await eventsOf(d.ann.upn, id)).map((e) => utc(e.end.dateTime))).toEqual([
      "2027-04-05T11:00:00.000Z",
    ]);

    expect(await sweepLater(clock)).toEqual(recovered({ rewritten: 1 }));
    await waitForBus();
    expect((await eventsOf(d.ann.upn, id)).map((e) => utc(e.end.dateTime))).toEqual([
      "2027-04-05T11:30:00.000Z",
    ]);
    const after = await booking(id);
    expect([after.state, after.calendarOwed, after.end]).toEqual([
      "confirmed",
      undefined,
      Date.parse("2027-04-05T11:30:00Z"),
    ]);
    expect(await sweepLater(clock)).toEqual(recovered());
  });

  it("an early end of one occurrence of a series saved in ONES is written to that occurrence by the sweep", async () => {
    const credential = await pairedFor(SERIES_ROOM);
    at("2027-04-05T08:00:00Z");
    // Three weekly Tuesday meetings, 13:00–14:00 UTC, from 6 April.
    const id = await confirmed({
      roomIds: [SERIES_ROOM],
      start: "2027-04-06T13:00:00Z",
      end: "2027-04-06T14:00:00Z",
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["tuesday"] },
        range: { type: "numbered", numberOfOccurrences: 3 },
      },
    });
    const key = "2027-04-13T13:00:00.000Z";
    at("2027-04-13T13:25:10Z");
    expect(await dyingAtGraph(() => clock, credential, { action: "end", itemId: `${id}|${key}` })).toBe(
      "moveOccurrence",
    );
    const saved = await booking(id);
    expect([saved.exceptions.moved, saved.occurrencesOwed, saved.calendarOwed]).toEqual([
      [{ key, start: Date.parse(key), end: Date.parse("2027-04-13T13:25:00Z") }],
      [{ key, version: saved.version }],
      undefined,
    ]);

    const endOfSecond = async (): Promise<string[]> => {
      const view = await d.s.graph<{ value: GraphEvent[] }>(
        `/users/${d.ann.upn}/calendarView?startDateTime=2027-04-13T00:00:00Z&endDateTime=2027-04-14T00:00:00Z`,
      );
      return view.value.filter((e) => !e.isCancelled).map((e) => utc(e.end.dateTime));
    };
    expect(await endOfSecond()).toEqual(["2027-04-13T14:00:00.000Z"]);

    expect(await sweepLater(clock)).toEqual(recovered({ occurrences: 1 }));
    await waitForBus();
    expect(await endOfSecond()).toEqual(["2027-04-13T13:25:00.000Z"]);
    const after = await booking(id);
    expect([
      after.state,
      after.occurrencesOwed,
      after.reserved[SERIES_ROOM]?.find((r) => r.key === key),
    ]).toEqual([
      "confirmed",
      undefined,
      { key, start: Date.parse(key), end: Date.parse("2027-04-13T13:25:00Z") },
    ]);
    expect(await sweepLater(clock)).toEqual(recovered());
  });

  it("an extension Graph refuses leaves the booking, its reservation and what it owes as they were", async () => {
    const credential = await pairedFor(EXTEND_ROOM);
    at("2027-04-05T08:00:00Z");
    const id = await confirmed({
      roomIds: [EXTEND_ROOM],
      start: "2027-04-05T14:00:00Z",
      end: "2027-04-05T15:00:00Z",
    });
    const before = await booking(id);
    at("2027-04-05T14:20:00Z");
    const refusal = new AppError("forbidden", "Graph refused the write.");
    const thrown = await refusedAtGraph(
      () => clock,
      credential,
      { action: "extend", itemId: `${id}|2027-04-05T14:00:00.000Z`, minutes: 30 },
      refusal,
    );
    expect(thrown).toBe(refusal);
    const after = await booking(id);
    expect([after.end, after.calendarOwed, after.presence?.extended ?? [], after.reserved]).toEqual([
      before.end,
      undefined,
      [],
      before.reserved,
    ]);
    const held = await store().roomSlots(
      EXTEND_ROOM,
      Date.parse("2027-04-05T14:00:00Z"),
      Date.parse("2027-04-05T16:00:00Z"),
    );
    expect(held.map((e) => [e.bookingId, e.start, e.end])).toEqual([
      [id, Date.parse("2027-04-05T14:00:00Z"), Date.parse("2027-04-05T15:00:00Z")],
    ]);
    expect(await sweepLater(clock)).toEqual(recovered());
  });

  it("a walk-in stored but never reserved (the host died in between) is cancelled by the sweep, not written over the room's next booking", async () => {
    at("2027-04-07T08:00:00Z");
    const staff = await confirmed({
      roomIds: [WALK_IN_ROOM],
      start: "2027-04-07T09:00:00Z",
      end: "2027-04-07T10:00:00Z",
    });
    // What a request killed after storing its walk-in and before reserving its slot would leave.
    at("2027-04-07T09:05:00Z");
    const slot = {
      key: "2027-04-07T09:05:00.000Z",
      start: Date.parse("2027-04-07T09:05:00Z"),
      end: Date.parse("2027-04-07T09:35:00Z"),
    };
    const room = { email: WALK_IN_ROOM, name: "Room 104" };
    const walkIn: Booking = {
      id: "walk-in-never-reserved",
      roomIds: [WALK_IN_ROOM],
      start: slot.start,
      end: slot.end,
      timeZone: "UTC",
      subject: "Walk-in",
      attendees: [],
      isOnlineMeeting: false,
      isAllDay: false,
      exceptions: { cancelled: [], moved: [] },
      organizer: room,
      bookedBy: room,
      source: "device",
      state: "confirmed",
      fields: {},
      termsAccepted: true,
      calendar: { mailbox: WALK_IN_ROOM, actor: "app" },
      calendarOwed: "write",
      roomResponses: { [WALK_IN_ROOM]: "accepted" },
      reserved: { [WALK_IN_ROOM]: [slot] },
      presence: { checkedIn: [slot.key], extended: [], released: [] },
      version: 1,
      createdAt: new Date(clock).toISOString(),
      updatedAt: new Date(clock).toISOString(),
    };
    await store().create(walkIn);

    expect(await sweepLater(clock)).toEqual(recovered({ rewritten: 1 }));
    await waitForBus();
    const after = await booking(walkIn.id);
    expect([after.state, after.reason, after.calendarOwed, after.reserved]).toEqual([
      "cancelled",
      "The room was taken before this booking reached its calendar.",
      undefined,
      {},
    ]);
    expect(await eventsOf(WALK_IN_ROOM, walkIn.id)).toEqual([]);
    const held = await store().roomSlots(
      WALK_IN_ROOM,
      Date.parse("2027-04-07T09:00:00Z"),
      Date.parse("2027-04-07T10:00:00Z"),
    );
    expect(held.map((e) => e.bookingId)).toEqual([staff]);
  });
});

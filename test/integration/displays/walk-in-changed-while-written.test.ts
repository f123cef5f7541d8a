import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { getServices } from "../../../shared/composition/services";
import { eventually } from "../../support/eventually";
import { startDurableStack, utc, type DurableStack } from "./durable-stack";

/**
 * A walk-in is shown on the room's display as soon as it is stored, before its event is in the room's
 * calendar. Ended (or extended) on the display while Graph still writes that event, the event lands
 * with the time first asked for: the change must still reach the calendar, or the room's calendar keeps
 * the time the display gave up (and the next read of the room takes it back over whoever booked it
 * since). The app's clock is injected; the meetings lie in 2027.
 */
let d: DurableStack;
let clock = Date.parse("2027-04-05T08:00:00Z");
const ROOM = "room-hq-104@contoso.example";

beforeAll(async () => {
  d = await startDurableStack(() => clock);
}, 180_000);
afterAll(async () => {
  await d?.stop();
});

function act(credential: string, action: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${d.s.auth.host.baseUrl}/api/displays/actions/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function eventTimes(bookingId: string): Promise<string[]> {
  return (await d.eventsOf(ROOM, bookingId))
    .filter((e) => !e.isCancelled)
    .map((e) => `${utc(e.start.dateTime)}|${utc(e.end.dateTime)}`);
}

describe("a walk-in changed on the display while its event is written", { timeout: 150_000 }, () => {
  it("ended early meanwhile: the room's calendar gets the early end", async () => {
    const credential = await d.pairedFor(ROOM);
    const store = new TableBookingStore(getServices().tables);

    // The walk-in's event write waits in Graph (a slow, throttled answer).
    clock = Date.parse("2027-04-05T09:10:05Z");
    const release = d.s.auth.sim.control.faults.hold(`/users/${ROOM}/events`);
    const booked = act(credential, "book-now", { minutes: 30 });
    let id = "";
    await eventually(
      async () => {
        const slots = await store.roomSlots(ROOM, Date.parse("2027-04-05T09:00:00Z"), clock + 3_600_000);
        id = slots[0]?.bookingId ?? "";
        return id !== "";
      },
      { timeoutMs: 30_000, explain: () => "the walk-in was never stored" },
    );

    // The display shows it and the people leave: ended at 09:10:45 (within its first minute).
    clock = Date.parse("2027-04-05T09:10:45Z");
    const ended = await act(credential, "end", { itemId: `${id}|2027-04-05T09:10:00.000Z` });
    expect(ended.status).toBe(200);
    expect(((await ended.json()) as { end: string }).end).toBe("2027-04-05T09:10:45.000Z");

    release();
    expect((await booked).status).toBe(200);
    await eventually(async () => (await eventTimes(id)).length === 1, {
      timeoutMs: 30_000,
      explain: () => "no event written",
    });
    await eventually(
      async () => (await eventTimes(id))[0] === "2027-04-05T09:10:00.000Z|2027-04-05T09:10:45.000Z",
      { timeoutMs: 30_000, explain: () => `the room's calendar keeps the walk-in's first time` },
    );
    await eventually(async () => (await store.get(id))?.booking.calendarOwed === undefined, {
      timeoutMs: 30_000,
      explain: () => "the early end is still owed",
    });
    const b = (await store.get(id))?.booking;
    expect([b?.state, b?.start, b?.end, b?.reserved[ROOM]?.map((x) => [x.start, x.end])]).toEqual([
      "confirmed",
      Date.parse("2027-04-05T09:10:00Z"),
      Date.parse("2027-04-05T09:10:45Z"),
      [[Date.parse("2027-04-05T09:10:00Z"), Date.parse("2027-04-05T09:10:45Z")]],
    ]);
    expect(await eventTimes(id)).toEqual(["2027-04-05T09:10:00.000Z|2027-04-05T09:10:45.000Z"]);
  });
});

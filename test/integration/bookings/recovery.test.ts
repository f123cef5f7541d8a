import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { NO_ROOM_RESPONSE_REASON } from "../../../shared/app/bookings/booking-commands";
import { recoverPendingBookings } from "../../../shared/composition/bookings";
import { getServices } from "../../../shared/composition/services";
import { eventually } from "../../support/eventually";
import { recovered } from "../../support/recovered";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * Bookings that nothing would move on: one whose worker died between reserving the slot and queueing
 * the calendar write (the recovery sweep queues it again), and one whose room never answers (after the
 * last look it is confirmed by ONES, with the room's response `none` and a reason saying so).
 */
let s: BookingStack;
let ann: Person;

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.recovery@contoso.example", "Ann Recovery");
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

interface View {
  id: string;
  state: string;
  roomResponses: Record<string, string>;
  reason?: string;
}

const store = () => new TableBookingStore(getServices().tables);

async function settled(id: string, state: string): Promise<View> {
  let last: View | undefined;
  await eventually(
    async () =>
      (last = (await (await s.call(ann, "GET", `/api/bookings/${id}`)).json()) as View).state === state,
    { timeoutMs: 30_000, explain: () => `booking ${id} is ${last?.state}` },
  );
  return last as View;
}

async function eventsWithBooking(mailbox: string, id: string): Promise<{ id: string }[]> {
  const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${id}')`;
  const page = await s.graph<{ value: { id: string }[] }>(
    `/users/${mailbox}/events?$filter=${encodeURIComponent(filter)}`,
  );
  return page.value;
}

describe("bookings nothing moves on", () => {
  it("a booking reserved by a worker that died before queueing its write is written by the sweep, once", async () => {
    const room = "room-hq-201@contoso.example";
    const made = (await (
      await s.call(ann, "POST", "/api/bookings", {
        roomIds: [room],
        start: "2027-02-09T09:00:00Z",
        end: "2027-02-09T10:00:00Z",
        subject: "Weekly",
      })
    ).json()) as View;
    await settled(made.id, "confirmed");
    // What create-booking stores before it queues the write, for a second slot, 20 minutes ago; the
    // worker died there, so no command exists.
    const template = (await store().get(made.id))?.booking;
    if (template === undefined) throw new Error("booking missing");
    const start = Date.parse("2027-02-09T11:00:00Z");
    const slot = { key: new Date(start).toISOString(), start, end: start + 3_600_000 };
    const past = new Date(s.now().getTime() - 20 * 60_000).toISOString();
    const orphan = {
      ...template,
      id: "0f5c4e1a-7d2b-4c39-9e8f-1a2b3c4d5e6f",
      start: slot.start,
      end: slot.end,
      state: "pending" as const,
      calendar: { mailbox: ann.upn, actor: "app" as const },
      roomResponses: { [room]: "none" as const },
      reserved: { [room]: [slot] },
      version: 1,
      createdAt: past,
      updatedAt: past,
    };
    await store().create(orphan);
    await store().reserve(orphan.id, [{ roomId: room, slots: [slot] }]);

    expect(await recoverPendingBookings()).toEqual(recovered({ rewritten: 1 }));
    const confirmed = await settled(orphan.id, "confirmed");
    expect(confirmed.roomResponses).toEqual({ [room]: "accepted" });
    expect(await eventsWithBooking(ann.upn, orphan.id)).toHaveLength(1);
    // Nothing is pending any more: the next sweep queues nothing.
    expect(await recoverPendingBookings()).toEqual(recovered());
  });

  it("a booking whose room never answers is confirmed after the last look, with the reason", async () => {
    const room = "room-hq-202@contoso.example";
    s.auth.sim.control.calendar.setCalendarProcessing(room, { automateProcessing: "None" });
    const made = (await (
      await s.call(ann, "POST", "/api/bookings", {
        roomIds: [room],
        start: "2027-02-10T09:00:00Z",
        end: "2027-02-10T10:00:00Z",
        subject: "Quarterly",
      })
    ).json()) as View;
    await eventually(async () => (await store().get(made.id))?.booking.calendar?.eventId !== undefined, {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} has no event yet`,
    });
    expect((await store().get(made.id))?.booking.state).toBe("pending");
    // The last of the looks at the room's answer (the earlier ones are 30 s apart).
    const version = (await store().get(made.id))?.booking.version ?? 0;
    await getServices().workQueue.enqueue("booking-commands", {
      id: `last-look-${made.id}`,
      body: { command: "refresh", bookingId: made.id, version, poll: 20 },
    });
    const confirmed = await settled(made.id, "confirmed");
    expect(confirmed.roomResponses).toEqual({ [room]: "none" });
    expect(confirmed.reason).toBe(NO_ROOM_RESPONSE_REASON);
    expect(await eventsWithBooking(ann.upn, made.id)).toHaveLength(1);
  });
});

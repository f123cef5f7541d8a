import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BOOKINGS_TABLE, TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { ROOM_EVENTS_TABLE } from "../../../shared/adapters/tables/table-room-events";
import { SUBSCRIPTIONS_TABLE } from "../../../shared/adapters/tables/table-room-subscriptions";
import { ROOM_SYNC_TABLE } from "../../../shared/adapters/tables/table-room-sync-state";
import { windowFrom } from "../../../shared/app/calendar/process-calendar-change";
import { mailboxId } from "../../../shared/domain/rooms/room";
import { peopleAt, utcAt } from "../m365/calendar-helpers";
import { clearTable, ROOMS, startOutlookStack, type OutlookStack } from "./harness";

/**
 * An Outlook meeting the room's booking attendant declines because the slot is taken: the room's
 * calendar does not change, so Graph notifies nobody and ONES (its store and the displays' schedule
 * version) stays as it was. The propagation benchmark relies on this to leave such slots out instead
 * of counting them as changes that never reached the displays.
 */
let s: OutlookStack;
let store: TableBookingStore;
const ROOM = mailboxId(ROOMS[0]);

beforeAll(async () => {
  s = await startOutlookStack();
  store = new TableBookingStore(s.services.tables);
});
afterAll(async () => {
  await s.stop();
});
beforeEach(async () => {
  s.sim.control.seed("demo");
  s.sim.control.faults.reset();
  for (const t of [SUBSCRIPTIONS_TABLE, ROOM_SYNC_TABLE, ROOM_EVENTS_TABLE, BOOKINGS_TABLE, "roombookings"])
    await clearTable(s.services.tables, t);
  s.clock = new Date();
  s.sim.control.notifications.resetFaults();
  s.sim.control.notifications.configure({ autoDeliver: false });
  await s.receive(100, 300);
});

const organizers = () => peopleAt(s.sim, "fabrikam.example").map((u) => u.data.userPrincipalName);

function meeting(organizer: string, day: number, hour: number) {
  const start = utcAt(s.sim, day, hour);
  const end = new Date(Date.parse(`${start}Z`) + 30 * 60_000).toISOString().slice(0, 19);
  return s.sim.control.calendar.createMeeting({
    organizer,
    subject: "Planning",
    start,
    end,
    rooms: [ROOMS[0]],
  });
}

function roomAnswer(m: { attendees?: unknown }): string | undefined {
  const attendees = (m.attendees ?? []) as Array<{
    emailAddress?: { address?: string };
    status?: { response?: string };
  }>;
  return attendees.find((a) => a.emailAddress?.address?.toLowerCase() === ROOMS[0])?.status?.response;
}

const hasRoomCopy = (iCalUId: unknown): boolean =>
  (s.sim.control.calendar.events(ROOMS[0]) as Array<{ iCalUId: string }>).some((e) => e.iCalUId === iCalUId);

/** Delivers what the simulator has due, and processes every calendar change it queued. */
async function deliverAndProcess(): Promise<number> {
  await s.sim.control.notifications.flush();
  let processed = 0;
  for (;;) {
    const got = await s.receive(100, 400);
    if (got.length === 0) return processed;
    for (const m of got) await s.calendar.processCalendarChange(m.body);
    processed += got.length;
  }
}

async function onesSlots(): Promise<string[]> {
  const w = windowFrom(s.clock, 180);
  const slots = await store.roomSlots(ROOM, w.start.getTime(), w.end.getTime());
  return slots.map((x) => `${new Date(x.start).toISOString()}|${new Date(x.end).toISOString()}`).sort();
}

describe("an Outlook meeting the room declines for a conflict", { timeout: 120_000 }, () => {
  it("changes neither the room's calendar nor ONES, and the next free slot reaches ONES", async () => {
    await s.calendar.maintainSubscriptions();
    await deliverAndProcess(); // the new subscriptions' full reads
    const [first, second] = organizers();
    if (first === undefined || second === undefined) throw new Error("the demo tenant has no organizers");

    const taken = meeting(first, 2, 9);
    expect(roomAnswer(taken)).toBe("accepted");
    expect(await deliverAndProcess()).toBe(1);
    const before = await onesSlots();
    expect(before).toContain(`${utcAt(s.sim, 2, 9)}.000Z|${utcAt(s.sim, 2, 9, 30)}.000Z`);
    const version = await store.roomVersion(ROOM);

    // The same half hour, asked for by someone else: declined, no copy in the room's calendar.
    s.sim.control.notifications.clearDeliveries();
    const clash = meeting(second, 2, 9);
    expect(roomAnswer(clash)).toBe("declined");
    expect(hasRoomCopy(clash.iCalUId)).toBe(false);
    expect(await deliverAndProcess()).toBe(0);
    expect(s.sim.control.notifications.deliveries()).toEqual([]);
    expect(await onesSlots()).toEqual(before);
    expect(await store.roomVersion(ROOM)).toBe(version);

    // The next slot is free: accepted, notified, and in ONES with a newer schedule version.
    const next = meeting(second, 2, 10);
    expect(roomAnswer(next)).toBe("accepted");
    expect(await deliverAndProcess()).toBe(1);
    expect(await onesSlots()).toEqual(
      [...before, `${utcAt(s.sim, 2, 10)}.000Z|${utcAt(s.sim, 2, 10, 30)}.000Z`].sort(),
    );
    expect(await store.roomVersion(ROOM)).toBeGreaterThan(version);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ROOM_EVENTS_TABLE, TableRoomEventIndex } from "../../../shared/adapters/tables/table-room-events";
import {
  BOOKING_EVENTS_TABLE,
  BOOKINGS_TABLE,
  TableBookingStore,
} from "../../../shared/adapters/tables/table-booking-store";
import { SUBSCRIPTIONS_TABLE } from "../../../shared/adapters/tables/table-room-subscriptions";
import { ROOM_SYNC_TABLE } from "../../../shared/adapters/tables/table-room-sync-state";
import { POLICIES_TABLE, TablePolicyStore } from "../../../shared/adapters/tables/table-policy-store";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { processBookingCommand, rejectBooking } from "../../../shared/composition/bookings";
import type { Booking } from "../../../shared/domain/bookings/booking";
import type { BookingCommand } from "../../../shared/domain/bookings/commands";
import { outlookBookingId } from "../../../shared/app/calendar/booking-sink";
import { windowFrom } from "../../../shared/app/calendar/process-calendar-change";
import { policyRulesSchema } from "../../../shared/domain/bookings/policy";
import { mailboxId } from "../../../shared/domain/rooms/room";
import { DEMO_APPS } from "../../../dev/m365";
import { peopleAt, utcAt } from "../m365/calendar-helpers";
import { appToken, graphFetch } from "../m365/helpers";
import { clearTable, ROOMS, startOutlookStack, type OutlookStack } from "./harness";
import { clearOfUtcMidnight, movedOn } from "../../support/clock";

/**
 * Room calendars into the booking store: the simulator's room calendar is the truth, the consumer
 * reads it after (faulty) notifications, and ONES's slots must end up exactly where Exchange has them.
 */
let s: OutlookStack;
const ROOM = mailboxId(ROOMS[0]);
const APP = DEMO_APPS.applicationPermission;
let store: TableBookingStore;

beforeAll(async () => {
  s = await startOutlookStack();
  store = new TableBookingStore(s.services.tables);
});
afterAll(async () => {
  await s.stop();
});
beforeEach(async () => {
  s.sim.control.seed("demo");
  for (const t of [
    SUBSCRIPTIONS_TABLE,
    ROOM_SYNC_TABLE,
    ROOM_EVENTS_TABLE,
    BOOKINGS_TABLE,
    // The simulator's seed makes the same iCalUIds again: an index row of an earlier case would match.
    BOOKING_EVENTS_TABLE,
    "roombookings",
    POLICIES_TABLE,
  ])
    await clearTable(s.services.tables, t);
  s.clock = clearOfUtcMidnight();
  s.sim.control.notifications.resetFaults();
  s.sim.control.notifications.configure({ autoDeliver: false });
  await s.receive(100, 300);
  await s.receiveFrom("mail", 100, 300);
});

const organizer = () => peopleAt(s.sim, "fabrikam.example")[0]?.data.userPrincipalName as string;

/** The tests' meetings end by 16:00 UTC, when the demo tenant's own meetings in the Seattle room begin in summer. */
function meeting(day: number, hour: number, minutes = 30, subject = "Planning") {
  const start = utcAt(s.sim, day, hour);
  const end = new Date(Date.parse(`${start}Z`) + minutes * 60_000).toISOString().slice(0, 19);
  return s.sim.control.calendar.createMeeting({
    organizer: organizer(),
    subject,
    start,
    end,
    rooms: [ROOMS[0]],
  });
}

/** Takes every queued calendar change and processes it, until the queue stays empty. */
async function settle(order: "as-received" | "reversed" = "as-received"): Promise<number> {
  let processed = 0;
  for (;;) {
    const got = await s.receive(100, 400);
    if (got.length === 0) return processed;
    const list = order === "reversed" ? [...got].reverse() : got;
    for (const m of list) await s.calendar.processCalendarChange(m.body);
    processed += list.length;
  }
}

/** The room's events in the window as Graph has them: "start|end" UTC, sorted. */
async function graphSlots(): Promise<string[]> {
  const w = windowFrom(s.clock, 180);
  const token = await appToken(s.sim, APP.clientId, APP.secret);
  const res = await graphFetch(
    s.sim,
    token,
    `/users/${ROOMS[0]}/calendarView?startDateTime=${w.start.toISOString()}&endDateTime=${w.end.toISOString()}&$top=1000`,
  );
  const body = (await res.json()) as {
    value: { start: { dateTime: string }; end: { dateTime: string }; isCancelled?: boolean }[];
  };
  const iso = (d: string) => new Date(Date.parse(`${d.replace(/Z$/, "")}Z`)).toISOString();
  return body.value
    .filter((e) => e.isCancelled !== true)
    .map((e) => `${iso(e.start.dateTime)}|${iso(e.end.dateTime)}`)
    .sort();
}

async function onesSlots(): Promise<string[]> {
  const w = windowFrom(s.clock, 180);
  const slots = await store.roomSlots(ROOM, w.start.getTime(), w.end.getTime());
  return slots.map((x) => `${new Date(x.start).toISOString()}|${new Date(x.end).toISOString()}`).sort();
}

/** The room's answer on the organizer's copy of a meeting. */
function roomAnswer(m: { attendees?: unknown }): string | undefined {
  const attendees = (m.attendees ?? []) as {
    emailAddress?: { address?: string };
    status?: { response?: string };
  }[];
  return attendees.find((a) => a.emailAddress?.address?.toLowerCase() === ROOMS[0])?.status?.response;
}

/** An hour's event ONES's write makes in `who`'s calendar with the room invited (stamped when `stamp` is given). */
async function writeEvent(
  who: string,
  subject: string,
  start: number,
  stamp?: string,
): Promise<{ id: string; iCalUId: string }> {
  const token = await appToken(s.sim, APP.clientId, APP.secret);
  const utc = (ms: number) => ({ dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: "UTC" });
  const made = await graphFetch(s.sim, token, `/users/${who}/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      subject,
      start: utc(start),
      end: utc(start + 3_600_000),
      attendees: [{ emailAddress: { address: ROOMS[0] }, type: "resource" }],
      ...(stamp === undefined
        ? {}
        : { singleValueExtendedProperties: [{ id: BOOKING_ID_PROPERTY, value: stamp }] }),
    }),
  });
  expect(made.status).toBe(201);
  return (await made.json()) as { id: string; iCalUId: string };
}

async function subscribedAndRead(): Promise<void> {
  await s.calendar.maintainSubscriptions();
  await settle(); // the new subscription's full read
}

// Each case drives several full reads of the room through the local broker: minutes on a busy machine.
describe("Outlook bookings into ONES", { timeout: 120_000 }, () => {
  it("duplicated, reordered, dropped and delayed notifications converge to Exchange's state", async () => {
    await subscribedAndRead();
    expect(await onesSlots()).toEqual(await graphSlots());

    // Every notification twice, batches reordered; handled in reverse order too.
    s.sim.control.notifications.faults({ seed: 7, duplicateRate: 1, reorder: true });
    const a = meeting(2, 9);
    const b = meeting(2, 11);
    meeting(3, 9);
    s.sim.control.calendar.updateMeeting(organizer(), a.id as string, {
      start: utcAt(s.sim, 2, 13),
      end: utcAt(s.sim, 2, 14),
    });
    s.sim.control.calendar.cancelMeeting(organizer(), b.id as string, {});
    await s.sim.control.notifications.flush();
    expect(await settle("reversed")).toBeGreaterThan(0);
    expect(await onesSlots()).toEqual(await graphSlots());
    const moved = await store.get(outlookBookingId(ROOM, await roomCopyId(a.iCalUId as string)));
    expect(moved?.booking).toMatchObject({
      source: "outlook",
      state: "confirmed",
      organizer: { email: organizer().toLowerCase() },
    });
    expect(new Date(moved?.booking.start ?? 0).toISOString()).toBe(`${utcAt(s.sim, 2, 13)}.000Z`);

    // Dropped: nothing arrives, ONES is behind until the next notification's delta read.
    s.sim.control.notifications.resetFaults();
    s.sim.control.notifications.faults({ seed: 1, dropRate: 1 });
    meeting(4, 9);
    await s.sim.control.notifications.flush();
    expect(await settle()).toBe(0);
    expect(await onesSlots()).not.toEqual(await graphSlots());
    s.sim.control.notifications.resetFaults();

    // Delayed: notifications held past a read of the queue arrive late, with a later change's, and
    // are handled newest first; the state still converges (the dropped change comes with them).
    s.sim.control.notifications.faults({ hold: true });
    meeting(4, 15);
    await s.sim.control.notifications.flush();
    expect(await settle()).toBe(0);
    meeting(5, 9);
    expect(s.sim.control.notifications.release()).toBe(2);
    await s.sim.control.notifications.flush();
    expect(await settle("reversed")).toBeGreaterThan(0);
    expect(await onesSlots()).toEqual(await graphSlots());
    expect(await onesSlots()).toHaveLength((await graphSlots()).length);
  });

  it("a recurring Outlook series with one occurrence moved and one cancelled", async () => {
    await subscribedAndRead();
    const first = utcAt(s.sim, 2, 8);
    const series = s.sim.control.calendar.createMeeting({
      organizer: organizer(),
      subject: "Stand-up",
      start: first,
      end: utcAt(s.sim, 2, 8, 15),
      rooms: [ROOMS[0]],
      recurrence: {
        pattern: { type: "daily", interval: 1 },
        range: { type: "numbered", startDate: first.slice(0, 10), numberOfOccurrences: 5 },
      },
    });
    await s.calendar.processCalendarChange({ kind: "room-resync", roomId: ROOM, reason: "admin" });
    const id = outlookBookingId(ROOM, await roomCopyId(series.iCalUId as string));
    expect((await store.get(id))?.booking.reserved[ROOM]).toHaveLength(5);

    const second = new Date(Date.parse(`${utcAt(s.sim, 3, 8)}Z`)).toISOString();
    const third = new Date(Date.parse(`${utcAt(s.sim, 4, 8)}Z`)).toISOString();
    s.sim.control.calendar.updateMeeting(organizer(), series.id as string, {
      occurrenceStart: second,
      start: utcAt(s.sim, 3, 10),
      end: utcAt(s.sim, 3, 10, 15),
    });
    s.sim.control.calendar.cancelMeeting(organizer(), series.id as string, { occurrenceStart: third });
    await s.sim.control.notifications.flush();
    await settle();

    const b = (await store.get(id))?.booking;
    expect(b?.source).toBe("outlook");
    expect(b?.recurrence?.pattern.type).toBe("daily");
    expect(b?.exceptions.cancelled).toEqual([third]);
    expect(b?.exceptions.moved.map((m) => [m.key, new Date(m.start).toISOString()])).toEqual([
      [second, `${utcAt(s.sim, 3, 10)}.000Z`],
    ]);
    expect(b?.reserved[ROOM]).toHaveLength(4);
    expect(await onesSlots()).toEqual(await graphSlots());
  });

  it("an Outlook booking breaking the room's policy is declined on the room's behalf, the rule mailed", async () => {
    await subscribedAndRead();
    await new TablePolicyStore(s.services.tables).putRoomPolicy(
      ROOM,
      policyRulesSchema.parse({ name: "Short meetings", maxDurationMinutes: 60 }),
      new Date(),
    );
    const long = meeting(2, 9, 120, "Offsite");
    const id = outlookBookingId(ROOM, await roomCopyId(long.iCalUId as string));
    await s.sim.control.notifications.flush();
    await settle();
    const b = (await store.get(id))?.booking;
    expect(b?.state).toBe("declined");
    expect(b?.reason).toMatch(/^max-duration: /);
    expect(b?.reserved).toEqual({});
    // Exchange: the room declined, with the rule in the response the organizer received.
    const declined = s.sim.control.calendar
      .messages(organizer())
      .filter((m) => m.kind === "meetingDeclined" && m.iCalUId === long.iCalUId);
    expect(declined).toHaveLength(1);
    expect(JSON.stringify(declined[0])).toContain('rule \\"max-duration\\"');
    // ONES: the organizer's mail names the rule.
    const mail = (await s.receiveFrom("mail", 10, 2_000)).map(
      (m) => m.body as { to: { email: string }; template: { kind: string; reason?: { rule?: string } } },
    );
    expect(mail.map((m) => [m.to.email, m.template.kind, m.template.reason?.rule?.split(":")[0]])).toEqual([
      [organizer().toLowerCase(), "booking-declined", "max-duration"],
    ]);
    await settle();
    expect(await onesSlots()).toEqual(await graphSlots());
  });

  it("the reconcile finds drift both ways and repairs it, recorded on the room", async () => {
    await subscribedAndRead();
    const gone = meeting(3, 9);
    await s.sim.control.notifications.flush();
    await settle();
    expect(await onesSlots()).toEqual(await graphSlots());
    // Notifications lost: one meeting ONES never hears of, one cancellation it misses.
    s.sim.control.notifications.faults({ seed: 3, dropRate: 1 });
    meeting(3, 14);
    s.sim.control.calendar.cancelMeeting(organizer(), gone.id as string, {});
    await s.sim.control.notifications.flush();
    expect(await settle()).toBe(0);
    expect(await onesSlots()).not.toEqual(await graphSlots());

    const counts = await s.calendar.reconcile();
    expect(counts).toEqual({ rooms: 2, driftFound: 2, driftRepaired: 2, failed: 0 });
    expect(await onesSlots()).toEqual(await graphSlots());
    const record = (await s.calendar.roomSyncStatus({ limit: 10 })).items.find((r) => r.roomId === ROOM);
    expect(record).toMatchObject({ lastReconcileAt: s.clock.toISOString(), driftFound: 2, driftRepaired: 2 });
    // Nothing left to repair.
    expect(await s.calendar.reconcile()).toEqual({ rooms: 2, driftFound: 0, driftRepaired: 0, failed: 0 });
  });

  it("an Outlook booking needing approval holds the slot; rejected, the room declines it in Exchange", async () => {
    await subscribedAndRead();
    const approver = { email: "approver@fabrikam.example", name: "Approver" };
    await new TablePolicyStore(s.services.tables).putRoomPolicy(
      ROOM,
      policyRulesSchema.parse({ name: "Approved", approval: { required: true, approvers: [approver] } }),
      new Date(),
    );
    const m = meeting(2, 10);
    const id = outlookBookingId(ROOM, await roomCopyId(m.iCalUId as string));
    await s.sim.control.notifications.flush();
    await settle();
    const waiting = (await store.get(id))?.booking;
    expect(waiting?.state).toBe("awaiting-approval");
    expect(waiting?.reserved[ROOM]).toHaveLength(1);
    const mail = (await s.receiveFrom("mail", 10, 2_000)).map(
      (x) => x.body as { to: { email: string }; template: { kind: string } },
    );
    expect(mail.map((x) => [x.to.email, x.template.kind])).toEqual([[approver.email, "approval-requested"]]);

    const principal = {
      userId: "approver-id",
      tenantId: s.sim.tenantId,
      objectId: "approver-id",
      email: approver.email,
      name: approver.name,
      roles: [],
      groups: [],
      isAdmin: false,
    };
    const rejected = await rejectBooking(principal, id, "The room is kept for the board.");
    expect(rejected.state).toBe("rejected");
    const declined = s.sim.control.calendar
      .messages(organizer())
      .filter((x) => x.kind === "meetingDeclined" && x.iCalUId === m.iCalUId);
    expect(declined).toHaveLength(1);
    expect(JSON.stringify(declined[0])).toContain("The room is kept for the board.");
    await s.sim.control.notifications.flush();
    await settle();
    expect(await onesSlots()).toEqual(await graphSlots());
  });
  it("an Outlook meeting the room declines for a conflict changes neither Exchange's room calendar nor ONES", async () => {
    // The propagation benchmark leaves such slots out: nothing changes, so no display should.
    await subscribedAndRead();
    const taken = meeting(2, 9);
    expect(roomAnswer(taken)).toBe("accepted");
    await s.sim.control.notifications.flush();
    expect(await settle()).toBe(1);
    const before = await onesSlots();
    expect(before).toContain(`${utcAt(s.sim, 2, 9)}.000Z|${utcAt(s.sim, 2, 9, 30)}.000Z`);
    const version = await store.roomVersion(ROOM);

    // The same half hour, asked for by someone else: declined, no copy in the room's calendar.
    const other = peopleAt(s.sim, "fabrikam.example")[1]?.data.userPrincipalName as string;
    s.sim.control.notifications.clearDeliveries();
    const clash = s.sim.control.calendar.createMeeting({
      organizer: other,
      subject: "Planning",
      start: utcAt(s.sim, 2, 9),
      end: utcAt(s.sim, 2, 9, 30),
      rooms: [ROOMS[0]],
    });
    expect(roomAnswer(clash)).toBe("declined");
    const copies = s.sim.control.calendar.events(ROOMS[0]) as { iCalUId: string }[];
    expect(copies.filter((e) => e.iCalUId === clash.iCalUId)).toEqual([]);
    await s.sim.control.notifications.flush();
    expect(s.sim.control.notifications.deliveries()).toEqual([]);
    expect(await settle()).toBe(0);
    expect(await onesSlots()).toEqual(before);
    expect(await store.roomVersion(ROOM)).toBe(version);
    expect(await graphSlots()).toEqual(before);

    // The next half hour is free: accepted, notified, in ONES with a newer schedule version.
    expect(roomAnswer(meeting(2, 10))).toBe("accepted");
    await s.sim.control.notifications.flush();
    expect(await settle()).toBe(1);
    expect(await onesSlots()).toEqual(
      [...before, `${utcAt(s.sim, 2, 10)}.000Z|${utcAt(s.sim, 2, 10, 30)}.000Z`].sort(),
    );
    expect(await store.roomVersion(ROOM)).toBeGreaterThan(version);
  });
});

describe("a booking ONES cancelled", { timeout: 120_000 }, () => {
  it("whose event is still live in Exchange has it cancelled when the room is read", async () => {
    await subscribedAndRead();
    const who = organizer();
    const start = Date.parse(`${utcAt(s.sim, 4, 9)}Z`);
    const now = s.clock.toISOString();
    // A ONES booking already cancelled (its cancel found no event) while its write still made one.
    const booking: Booking = {
      id: "b3d0c6e2-5a41-4f7e-9c1d-2e8f7a6b5c4d",
      roomIds: [ROOM],
      start,
      end: start + 3_600_000,
      timeZone: "UTC",
      subject: "Overtaken",
      attendees: [],
      isOnlineMeeting: false,
      isAllDay: false,
      exceptions: { cancelled: [], moved: [] },
      organizer: { email: who },
      bookedBy: { email: who },
      source: "ones",
      state: "cancelled",
      fields: {},
      termsAccepted: true,
      calendar: { mailbox: who, actor: "app" },
      roomResponses: {},
      reserved: {},
      version: 3,
      createdAt: now,
      updatedAt: now,
    };
    const event = await writeEvent(who, "Overtaken", start, booking.id);
    // As the write left it: the event linked (the iCalUId indexed by the store's replace).
    const stored = await store.create(booking);
    await store.replace(
      { ...booking, calendar: { mailbox: who, actor: "app", eventId: event.id, iCalUId: event.iCalUId } },
      stored.etag,
    );
    await s.sim.control.notifications.flush();
    await settle();
    expect(await graphSlots()).toContain(
      `${new Date(start).toISOString()}|${new Date(start + 3_600_000).toISOString()}`,
    );

    // The sink owes the cancel again and queues it, with the booking's next version.
    const queued = await s.receiveFrom("booking-commands", 10, 2_000);
    expect(queued.map((m) => m.body)).toEqual([{ command: "cancel", bookingId: booking.id, version: 4 }]);
    expect((await store.get(booking.id))?.booking).toMatchObject({
      state: "cancelled",
      calendarOwed: "cancel",
    });

    expect(await processBookingCommand(queued[0]?.body as BookingCommand)).toBe("done");
    await s.sim.control.notifications.flush();
    await settle();
    expect(await graphSlots()).not.toContain(
      `${new Date(start).toISOString()}|${new Date(start + 3_600_000).toISOString()}`,
    );
    expect(await onesSlots()).toEqual(await graphSlots());
    expect((await store.get(booking.id))?.booking.calendarOwed).toBeUndefined();
  });
});

describe("a move the room declines", { timeout: 120_000 }, () => {
  /** The room's answer on the organizer's copy of event `id`. */
  const answer = (who: string, id: string): string | undefined =>
    roomAnswer(s.sim.control.calendar.events(who).find((e) => e.id === id) ?? {});
  const copies = (iCalUId: string): string[] =>
    (s.sim.control.calendar.events(ROOMS[0]) as { id: string; iCalUId: string }[])
      .filter((e) => e.iCalUId === iCalUId)
      .map((e) => e.id);
  const moveTo = (id: string, day: number, h: number, occurrenceStart?: string): void => {
    s.sim.control.calendar.updateMeeting(organizer(), id, {
      start: utcAt(s.sim, day, h),
      end: utcAt(s.sim, day, h + 1),
      ...(occurrenceStart === undefined ? {} : { occurrenceStart }),
    });
  };
  const clash = (day: number, h: number) =>
    s.sim.control.calendar.createMeeting({
      organizer: peopleAt(s.sim, "fabrikam.example")[1]?.data.userPrincipalName as string,
      subject: "Taken",
      start: utcAt(s.sim, day, h),
      end: utcAt(s.sim, day, h + 1),
      rooms: [ROOMS[0]],
    });

  it("a meeting moved onto a taken time, then to a free one, is booked at the free time after one reconcile", async () => {
    await subscribedAndRead();
    const m = meeting(3, 10, 60);
    clash(3, 14);
    await s.sim.control.notifications.flush();
    await settle();
    const [first] = copies(m.iCalUId as string);
    const id = outlookBookingId(ROOM, first as string);
    expect((await store.get(id))?.booking.state).toBe("confirmed");

    // No notification reaches ONES: only the reconcile's full read sees the two moves.
    s.sim.control.notifications.faults({ seed: 5, dropRate: 1 });
    moveTo(m.id as string, 3, 14);
    expect(answer(organizer(), m.id as string)).toBe("declined");
    expect(copies(m.iCalUId as string)).toEqual([]);
    moveTo(m.id as string, 3, 12);
    expect(answer(organizer(), m.id as string)).toBe("accepted");
    const [second] = copies(m.iCalUId as string);
    expect(second).not.toBe(first);
    await s.sim.control.notifications.flush();
    expect(await settle()).toBe(0);
    s.sim.control.notifications.resetFaults();

    s.clock = movedOn(s.clock);
    await s.calendar.reconcile();
    const b = (await store.get(id))?.booking;
    expect(b?.state).toBe("confirmed");
    expect(b?.reserved[ROOM]?.map((x) => hour(x.start))).toEqual([
      hour(Date.parse(`${utcAt(s.sim, 3, 12)}Z`)),
    ]);
    expect(await onesSlots()).toEqual(await graphSlots());
    const index = new TableRoomEventIndex(s.services.tables);
    expect((await index.get(ROOM, second as string))?.bookingId).toBe(id);
    expect(await index.get(ROOM, first as string)).toBeUndefined();
  });

  it("a series' stale occurrence slot at a time the room gave another meeting is dropped by one reconcile", async () => {
    await subscribedAndRead();
    const series = s.sim.control.calendar.createMeeting({
      organizer: organizer(),
      subject: "Stand-up",
      start: utcAt(s.sim, 3, 13),
      end: utcAt(s.sim, 3, 14),
      rooms: [ROOMS[0]],
      recurrence: {
        pattern: { type: "daily", interval: 1 },
        range: { type: "numbered", startDate: utcAt(s.sim, 3, 13).slice(0, 10), numberOfOccurrences: 3 },
      },
    });
    clash(5, 15);
    const day = (n: number): string => `${utcAt(s.sim, n, 13)}.000Z`;
    moveTo(series.id as string, 5, 12, day(5));
    await s.sim.control.notifications.flush();
    await settle();
    const master = await roomCopyId(series.iCalUId as string);
    const id = outlookBookingId(ROOM, master);
    const at = (n: number, h: number): string => hour(Date.parse(`${utcAt(s.sim, n, h)}Z`));
    const held = async (): Promise<string[]> =>
      ((await store.get(id))?.booking.reserved[ROOM] ?? []).map((x) => hour(x.start));
    expect(await held()).toEqual([at(3, 13), at(4, 13), at(5, 12)]);

    // The worker that followed the last occurrence died before it linked the event, so ONES cannot
    // tell when it leaves. Unseen by ONES: the room declines that occurrence's move onto a taken time,
    // gives its old time to another meeting, and accepts a move of the middle occurrence.
    const occurrence = s.sim.control.calendar.occurrenceId(ROOMS[0], master, day(5));
    const index = new TableRoomEventIndex(s.services.tables);
    await index.remove(ROOM, occurrence);
    s.sim.control.notifications.faults({ seed: 9, dropRate: 1 });
    moveTo(series.id as string, 5, 15, day(5));
    const other = clash(5, 12);
    expect(answer(other.organizer?.emailAddress?.address as string, other.id as string)).toBe("accepted");
    moveTo(series.id as string, 4, 15, day(4));
    await s.sim.control.notifications.flush();
    expect(await settle()).toBe(0);
    s.sim.control.notifications.resetFaults();

    s.clock = movedOn(s.clock);
    await s.calendar.reconcile();
    expect(await held()).toEqual([at(3, 13), at(4, 15)]);
    expect((await store.get(id))?.booking).toMatchObject({
      state: "confirmed",
      exceptions: { cancelled: [day(5)] },
    });
    expect(await onesSlots()).toEqual(await graphSlots());
  });
});

/** The room copy's id of a meeting (the Outlook booking's id derives from it). */
async function roomCopyId(iCalUId: string): Promise<string> {
  const events = s.sim.control.calendar.events(ROOMS[0]) as { id: string; iCalUId: string; type?: string }[];
  const copy = events.find((e) => e.iCalUId === iCalUId && e.type !== "occurrence" && e.type !== "exception");
  if (copy === undefined) throw new Error("no room copy");
  return Promise.resolve(copy.id);
}

/** A ONES booking of the room at `start` (one hour), as the store would hold it. */
function onesBooking(id: string, start: number, state: Booking["state"], who: string): Booking {
  const now = s.clock.toISOString();
  return {
    id,
    roomIds: [ROOM],
    start,
    end: start + 3_600_000,
    timeZone: "UTC",
    subject: "Drift",
    attendees: [],
    isOnlineMeeting: false,
    isAllDay: false,
    exceptions: { cancelled: [], moved: [] },
    organizer: { email: who },
    bookedBy: { email: who },
    source: "ones",
    state,
    fields: {},
    termsAccepted: true,
    calendar: { mailbox: who, actor: "app" },
    roomResponses: {},
    reserved: {},
    version: 3,
    createdAt: now,
    updatedAt: now,
  };
}

const hour = (ms: number): string =>
  `${new Date(ms).toISOString()}|${new Date(ms + 3_600_000).toISOString()}`;

describe("the reconcile sets ONES's store equal to the room's calendar", { timeout: 120_000 }, () => {
  it("a booking's schedule apart from its document, a slot of a cancelled booking and one of no booking", async () => {
    await subscribedAndRead();
    const kept = meeting(3, 9);
    await s.sim.control.notifications.flush();
    await settle();
    const keptId = outlookBookingId(ROOM, await roomCopyId(kept.iCalUId as string));
    const keptSlot = `${utcAt(s.sim, 3, 9)}.000Z|${utcAt(s.sim, 3, 9, 30)}.000Z`;
    expect(await onesSlots()).toContain(keptSlot);

    // A worker died between a booking's document and the room's schedule: the document (and the
    // room's calendar) hold the meeting, the schedule does not.
    await store.reserve(keptId, [{ roomId: ROOM, slots: [] }], { force: true });
    // A cancelled booking still holding a slot (an edit that overtook its cancel), and a slot whose
    // booking is gone (its request died after reserving).
    const who = organizer();
    const stale = Date.parse(`${utcAt(s.sim, 4, 13)}Z`);
    const orphan = Date.parse(`${utcAt(s.sim, 5, 15)}Z`);
    const cancelled = onesBooking("0a5e1f0c-2d7b-4c55-8f0e-6b1d9a3c7e21", stale, "cancelled", who);
    const slot = { key: new Date(stale).toISOString(), start: stale, end: stale + 3_600_000 };
    await store.create({ ...cancelled, reserved: { [ROOM]: [slot] } });
    await store.reserve(cancelled.id, [{ roomId: ROOM, slots: [slot] }], { force: true });
    const lost = { key: new Date(orphan).toISOString(), start: orphan, end: orphan + 3_600_000 };
    await store.reserve("5c2b8e4f-9a17-4d36-b0e2-3f6a8c1d2e90", [{ roomId: ROOM, slots: [lost] }], {
      force: true,
    });
    expect(await onesSlots()).not.toContain(keptSlot);
    expect(await onesSlots()).toEqual(expect.arrayContaining([hour(stale), hour(orphan)]));

    // Graph's events say nothing new: one reconcile, run after these changes, repairs it from the
    // bookings.
    s.clock = movedOn(s.clock);
    const counts = await s.calendar.reconcile();
    expect(counts).toEqual({ rooms: 2, driftFound: 3, driftRepaired: 3, failed: 0 });
    expect(await onesSlots()).toEqual(await graphSlots());
    expect(await onesSlots()).toContain(keptSlot);
    expect((await store.get(keptId))?.booking.state).toBe("confirmed");
    expect(await s.calendar.reconcile()).toEqual({ rooms: 2, driftFound: 0, driftRepaired: 0, failed: 0 });
  });

  it("an Outlook booking taken as cancelled whose room event is live again stands again", async () => {
    await subscribedAndRead();
    const m = meeting(3, 11, 60);
    await s.sim.control.notifications.flush();
    await settle();
    const id = outlookBookingId(ROOM, await roomCopyId(m.iCalUId as string));
    const seen = await store.get(id);
    if (seen === undefined) throw new Error("the meeting never reached ONES");
    // As a read that took the room's copy as gone left it: slot freed, cancelled, unlinked.
    await store.reserve(id, [{ roomId: ROOM, slots: [] }], { force: true });
    await store.replace(
      {
        ...seen.booking,
        state: "cancelled",
        reason: "Cancelled in Outlook.",
        reserved: {},
        version: seen.booking.version + 1,
      },
      seen.etag,
    );
    await clearTable(s.services.tables, ROOM_EVENTS_TABLE);

    expect(await s.calendar.reconcile()).toMatchObject({ driftFound: 1, driftRepaired: 1 });
    const b = (await store.get(id))?.booking;
    expect(b?.state).toBe("confirmed");
    expect(b?.reason).toBeUndefined();
    expect(b?.reserved[ROOM]?.map((x) => hour(x.start))).toEqual([
      hour(Date.parse(`${utcAt(s.sim, 3, 11)}Z`)),
    ]);
    expect(await onesSlots()).toEqual(await graphSlots());
  });

  it("an Outlook booking whose removal was read before its event was linked is cancelled", async () => {
    await subscribedAndRead();
    const m = meeting(5, 10, 60);
    await s.sim.control.notifications.flush();
    await settle();
    const id = outlookBookingId(ROOM, await roomCopyId(m.iCalUId as string));
    expect((await store.get(id))?.booking.state).toBe("confirmed");
    // The worker that made the booking died before it linked the event; the removal read finds no link.
    await clearTable(s.services.tables, ROOM_EVENTS_TABLE);
    s.sim.control.calendar.cancelMeeting(organizer(), m.id as string, {});
    await s.sim.control.notifications.flush();
    await settle();
    const slot = hour(Date.parse(`${utcAt(s.sim, 5, 10)}Z`));
    expect(await onesSlots()).toContain(slot);
    expect(await graphSlots()).not.toContain(slot);

    s.clock = movedOn(s.clock);
    expect(await s.calendar.reconcile()).toMatchObject({ driftFound: 1, driftRepaired: 1 });
    expect((await store.get(id))?.booking).toMatchObject({
      state: "cancelled",
      reason: "Cancelled in Outlook.",
      reserved: { [ROOM]: [] },
    });
    expect(await onesSlots()).toEqual(await graphSlots());
  });

  it("a stale slot at the time of another booking's live meeting is found and dropped", async () => {
    await subscribedAndRead();
    const first = meeting(6, 10, 60);
    await s.sim.control.notifications.flush();
    await settle();
    const stale = outlookBookingId(ROOM, await roomCopyId(first.iCalUId as string));
    // Its removal is read before its event was linked, and another meeting takes the same hour.
    await clearTable(s.services.tables, ROOM_EVENTS_TABLE);
    s.sim.control.calendar.cancelMeeting(organizer(), first.id as string, {});
    const second = meeting(6, 10, 60);
    await s.sim.control.notifications.flush();
    await settle();
    const live = outlookBookingId(ROOM, await roomCopyId(second.iCalUId as string));
    const slot = hour(Date.parse(`${utcAt(s.sim, 6, 10)}Z`));
    expect((await onesSlots()).filter((x) => x === slot)).toEqual([slot, slot]);
    expect((await graphSlots()).filter((x) => x === slot)).toEqual([slot]);

    s.clock = movedOn(s.clock);
    await s.calendar.reconcile();
    expect((await store.get(stale))?.booking).toMatchObject({ state: "cancelled", reserved: { [ROOM]: [] } });
    expect((await store.get(live))?.booking.state).toBe("confirmed");
    expect(await onesSlots()).toEqual(await graphSlots());
  });

  it.each([
    ["its twin", "twin"],
    ["the ONES booking (a concurrent read found it)", "ones"],
  ] as const)(
    "a room copy read before ONES recorded the event it wrote, linked to %s, is matched to the ONES booking",
    async (_, linkedTo) => {
      await subscribedAndRead();
      const who = organizer();
      const start = Date.parse(`${utcAt(s.sim, 4, 14)}Z`);
      const booking = onesBooking("c81f5b27-6d3a-4e09-b7f4-1a2d8e5c9b63", start, "confirmed", who);
      const slot = { key: new Date(start).toISOString(), start, end: start + 3_600_000 };
      // ONES's write made the event (no stamp read back on the room's copy) ...
      const event = await writeEvent(who, "Written by ONES", start);
      // ... and the room's copy reached the sink before the write recorded it: an Outlook booking.
      await s.sim.control.notifications.flush();
      await settle();
      const twin = outlookBookingId(ROOM, await roomCopyId(event.iCalUId));
      expect((await store.get(twin))?.booking.state).toBe("confirmed");
      // The write records its event (the booking's document and slot, the iCalUId indexed).
      const stored = await store.create({ ...booking, reserved: { [ROOM]: [slot] } });
      await store.replace(
        {
          ...booking,
          reserved: { [ROOM]: [slot] },
          calendar: { mailbox: who, actor: "app", eventId: event.id, iCalUId: event.iCalUId },
        },
        stored.etag,
      );
      await store.reserve(booking.id, [{ roomId: ROOM, slots: [slot] }], { force: true });
      expect((await onesSlots()).filter((x) => x === hour(start))).toHaveLength(2);
      // A later change of the Outlook booking does not take the iCalUId from the ONES booking.
      const later = await store.get(twin);
      if (later === undefined) throw new Error("no twin");
      await store.replace({ ...later.booking, updatedAt: new Date().toISOString() }, later.etag);
      expect((await store.findByICalUId(event.iCalUId))?.id).toBe(booking.id);
      if (linkedTo === "ones") {
        // Another read of the room, begun after ONES recorded the event, linked the copy to the booking.
        const copy = await roomCopyId(event.iCalUId);
        await new TableRoomEventIndex(s.services.tables).put(ROOM, {
          eventId: copy,
          bookingId: booking.id,
          key: slot.key,
        });
      }

      s.clock = movedOn(s.clock);
      expect(await s.calendar.reconcile()).toMatchObject({ driftFound: 1, driftRepaired: 1 });
      expect((await store.get(twin))?.booking).toMatchObject({ state: "cancelled", reserved: {} });
      expect((await store.get(booking.id))?.booking).toMatchObject({
        state: "confirmed",
        reserved: { [ROOM]: [slot] },
      });
      expect(await onesSlots()).toEqual(await graphSlots());
    },
  );

  it("a ONES booking the room declined whose room event is live has the room's copy declined", async () => {
    await subscribedAndRead();
    const who = organizer();
    const start = Date.parse(`${utcAt(s.sim, 4, 9)}Z`);
    const booking = onesBooking("7d4c2a19-3e8b-4f60-a1c5-9b2e6d0f4a38", start, "declined", who);
    const event = await writeEvent(who, "Declined", start, booking.id);
    const stored = await store.create({ ...booking, reason: "The room declined the invitation." });
    await store.replace(
      { ...booking, calendar: { mailbox: who, actor: "app", eventId: event.id, iCalUId: event.iCalUId } },
      stored.etag,
    );
    expect(await graphSlots()).toContain(hour(start));

    // The room's copy is live, ONES holds nothing there: the read declines the copy on the room's behalf.
    await s.sim.control.notifications.flush();
    await settle();
    expect(await graphSlots()).not.toContain(hour(start));
    expect((await store.get(booking.id))?.booking.state).toBe("declined");
    await s.sim.control.notifications.flush();
    await settle();
    expect(await onesSlots()).toEqual(await graphSlots());
  });
});

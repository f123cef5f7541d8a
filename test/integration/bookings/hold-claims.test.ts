import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { calendarChanges } from "../../../functions/calendar-changes";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { TableHoldStore } from "../../../shared/adapters/tables/table-hold-store";
import { addinIdFor } from "../../../shared/app/web/serve-addin";
import { overrideServices } from "../../../shared/composition";
import { handleCalendarChange } from "../../../shared/composition/calendar";
import { expireHolds } from "../../../shared/composition/holds";
import { getServices } from "../../../shared/composition/services";
import { customPropertiesExtendedPropertyId, HOLD_PROPERTY } from "../../../shared/domain/addin/hold-tag";
import type { Booking } from "../../../shared/domain/bookings/booking";
import type { Hold } from "../../../shared/domain/bookings/hold";
import type { IntegrationMode } from "../../../shared/domain/integration/modes";
import { PAST_DEMO_MEETINGS_DAYS, utcDayStart } from "../../support/clock";
import { eventually } from "../../support/eventually";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * A meeting sent from Outlook claims the add-in's hold: the hold is placed over HTTP, the organizer's
 * meeting is made in the simulator with the room as resource (and, as the add-in leaves it, the hold
 * id as custom property), an admin's resync goes through the local Service Bus to the
 * `calendar-changes` consumer, and the Outlook-to-ONES processing must make the booking under the
 * hold's reservation id with the hold's policy result and approval. The clock is injected: the real
 * time plus an offset the test moves.
 */
let offsetMs = 0;

interface Setup {
  s: BookingStack;
  consumer: RunningHost;
  ann: Person;
  admin: Person;
}

async function setUp(mode: IntegrationMode): Promise<Setup> {
  const s = await startBookingStack(mode);
  await overrideServices({ now: () => new Date(Date.now() + offsetMs) });
  const consumer = await startHost({
    functions: [calendarChanges],
    port: 0,
    env: { SERVICEBUS: s.bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
  // The rooms sync subscribed every room, each with a full read queued: let those finish first, so a
  // read begun before a test's meeting existed does not end after the test's own reads.
  await calendarQueueIdle(s, undefined, 90_000);
  return {
    s,
    consumer,
    ann: await s.person("ann.sender@contoso.example", "Ann Sender"),
    admin: await s.person("ada.claimadmin@contoso.example", "Ada Admin", { admin: true }),
  };
}

/** Starts the stack before the describe's tests and stops it after them. */
function stackPerDescribe(mode: IntegrationMode, started: (t: Setup) => void): void {
  let t: Setup | undefined;
  beforeAll(async () => {
    t = await setUp(mode);
    started(t);
  }, 180_000);
  afterAll(async () => {
    await t?.consumer.stop();
    await t?.s.stop();
  });
}

/**
 * The tests' first day, fixed once so a run that crosses midnight keeps its days, and past the demo
 * tenant's own meetings in these rooms (they would refuse a hold on some weekdays).
 */
const firstDay = utcDayStart(new Date(), PAST_DEMO_MEETINGS_DAYS);
/** `days` after the first day at `hour`:`minute` UTC, as epoch ms. */
const at = (days: number, hour: number, minute = 0): number =>
  firstDay + days * 86_400_000 + (hour * 60 + minute) * 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

async function placeHold(t: Setup, roomId: string, start: number, end: number): Promise<Hold> {
  const made = await t.s.call(t.ann, "POST", "/api/bookings/holds", {
    roomId,
    start: iso(start),
    end: iso(end),
    attendeeCount: 2,
  });
  expect(made.status).toBe(201);
  const { id } = (await made.json()) as { id: string };
  const stored = await new TableHoldStore(getServices().tables).get(id);
  if (stored === undefined) throw new Error("hold not stored");
  return stored.hold;
}

/** The organizer's meeting as Outlook sends it; `tag` puts the hold id on it as the add-in does. */
function sendMeeting(t: Setup, roomId: string, start: number, end: number, tag?: string): string {
  const property = customPropertiesExtendedPropertyId(addinIdFor(t.s.auth.host.baseUrl));
  const made = t.s.auth.sim.control.calendar.createMeeting({
    organizer: t.ann.upn,
    subject: "Quarterly review",
    start: iso(start),
    end: iso(end),
    rooms: [roomId],
    ...(tag === undefined
      ? {}
      : {
          singleValueExtendedProperties: [{ id: property, value: JSON.stringify({ [HOLD_PROPERTY]: tag }) }],
        }),
  });
  sent.add(made.iCalUId as string);
  return made.iCalUId as string;
}

/**
 * An admin's resync of the room, through the queue to the consumer; waits until the queue is done
 * with it and `done` holds.
 */
async function resyncUntil(
  t: Setup,
  roomId: string,
  done: () => Promise<boolean> = async () => true,
): Promise<void> {
  const queued = await t.s.call(t.admin, "POST", `/api/admin/rooms/${roomId}/resync`);
  expect(queued.status).toBe(202);
  await calendarQueueIdle(t.s, done);
}

async function calendarQueueIdle(
  s: BookingStack,
  done: () => Promise<boolean> = async () => true,
  timeoutMs = 20_000,
) {
  const idle = () => {
    const q = s.bus.stats()["calendar-changes"];
    return (q?.active ?? 0) + (q?.locked ?? 0) + (q?.scheduled ?? 0) === 0;
  };
  await eventually(async () => idle() && (await done()), {
    timeoutMs,
    intervalMs: 200,
    explain: () => JSON.stringify(s.bus.stats()["calendar-changes"]),
  });
}

const bookings = () => new TableBookingStore(getServices().tables);
const bookingOf = async (id: string): Promise<Booking | undefined> => (await bookings().get(id))?.booking;

/** The meetings the tests sent (the demo tenant's rooms have meetings of their own). */
const sent = new Set<string>();

/**
 * The room's reserved slots on that day that belong to the tests' holds or meetings, as
 * "start|end|bookingId".
 */
async function slots(roomId: string, day: number): Promise<string[]> {
  const from = at(day, 0);
  const holdIds = new Set(
    (await new TableHoldStore(getServices().tables).list()).map((h) => h.hold.reservationId),
  );
  const out: string[] = [];
  for (const e of await bookings().roomSlots(roomId, from, from + 86_400_000)) {
    const ours =
      holdIds.has(e.bookingId) || sent.has((await bookingOf(e.bookingId))?.calendar?.iCalUId ?? "");
    if (ours) out.push(`${iso(e.start)}|${iso(e.end)}|${e.bookingId}`);
  }
  return out;
}

/** The ids of the bookings whose calendar link carries this iCalUId (one per room copy). */
async function bookingsOfMeeting(roomId: string, day: number, iCalUId: string): Promise<string[]> {
  const from = at(day, 0);
  const ids = new Set((await bookings().roomSlots(roomId, from, from + 86_400_000)).map((e) => e.bookingId));
  const found: string[] = [];
  for (const id of ids) if ((await bookingOf(id))?.calendar?.iCalUId === iCalUId) found.push(id);
  return found.sort();
}

describe("a sent meeting claims its hold (application mode: the organizer's event carries the tag)", () => {
  let t: Setup;
  stackPerDescribe("application", (started) => (t = started));

  it("a meeting moved after the hold is matched by its tag: the booking takes the hold's id, once, however often it is read", async () => {
    const room = "room-hq-102@contoso.example";
    const hold = await placeHold(t, room, at(3, 10), at(3, 11));
    // The organizer moved the meeting by half an hour before sending: only the tag can match it.
    const iCalUId = sendMeeting(t, room, at(3, 10, 30), at(3, 11, 30), hold.id);
    await resyncUntil(t, room, async () => (await bookingOf(hold.reservationId)) !== undefined);

    const b = await bookingOf(hold.reservationId);
    expect([b?.state, b?.source, b?.organizer.email, b?.calendar?.iCalUId]).toEqual([
      "confirmed",
      "outlook",
      t.ann.upn,
      iCalUId,
    ]);
    expect([iso(b?.start ?? 0), iso(b?.end ?? 0)]).toEqual([iso(at(3, 10, 30)), iso(at(3, 11, 30))]);
    // The hold's slot moved with the meeting: one reservation, under the hold's id.
    expect(await slots(room, 3)).toEqual([
      `${iso(at(3, 10, 30))}|${iso(at(3, 11, 30))}|${hold.reservationId}`,
    ]);
    const claimed = (await new TableHoldStore(getServices().tables).get(hold.id))?.hold;
    expect(claimed?.claimedICalUId).toBe(iCalUId);

    // The same event read again, twice at once and once more through the queue: nothing new.
    await Promise.all([
      handleCalendarChange({ kind: "room-resync", roomId: room, reason: "admin" }),
      handleCalendarChange({ kind: "room-resync", roomId: room, reason: "admin" }),
    ]);
    const version = (await bookingOf(hold.reservationId))?.version;
    await resyncUntil(t, room);
    expect(await bookingsOfMeeting(room, 3, iCalUId)).toEqual([hold.reservationId]);
    expect((await bookingOf(hold.reservationId))?.version).toBe(version);
    expect(await slots(room, 3)).toEqual([
      `${iso(at(3, 10, 30))}|${iso(at(3, 11, 30))}|${hold.reservationId}`,
    ]);
    // A claimed hold is the booking's now: it neither lapses nor can be let go.
    offsetMs += 15 * 60_000;
    await expireHolds();
    expect(await slots(room, 3)).toHaveLength(1);
    expect((await t.s.call(t.ann, "DELETE", `/api/bookings/holds/${hold.id}`)).status).toBe(409);
  });

  it("keeps the hold's policy result: a rule the admin tightened after the hold does not decline the sent meeting", async () => {
    const room = "room-hq-103@contoso.example";
    const hold = await placeHold(t, room, at(4, 9), at(4, 10));
    const put = await t.s.call(t.admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "Short meetings",
      maxDurationMinutes: 30,
    });
    expect(put.status).toBe(200);
    const iCalUId = sendMeeting(t, room, at(4, 9), at(4, 10), hold.id);
    await resyncUntil(t, room, async () => (await bookingOf(hold.reservationId)) !== undefined);
    const b = await bookingOf(hold.reservationId);
    expect([b?.state, b?.reason, b?.roomResponses[room], b?.calendar?.iCalUId]).toEqual([
      "confirmed",
      undefined,
      "accepted",
      iCalUId,
    ]);
    expect(await slots(room, 4)).toEqual([`${iso(at(4, 9))}|${iso(at(4, 10))}|${hold.reservationId}`]);

    // Without a hold the same meeting is judged by the rule as it is now, and declined.
    const other = sendMeeting(t, room, at(4, 14), at(4, 15));
    await resyncUntil(t, room, async () => (await bookings().findByICalUId(other)) !== undefined);
    const unheld = await bookings().findByICalUId(other);
    expect([unheld?.state, unheld?.reason?.split(":")[0]]).toEqual(["declined", "max-duration"]);
  });

  it("an approval-required room: the booking awaits approval under the hold's id, the slot held, the approver asked", async () => {
    const room = "room-hq-104@contoso.example";
    const approver = "fay.approver@contoso.example";
    const put = await t.s.call(t.admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "Board room",
      approval: { required: true, approvers: [{ email: approver, name: "Fay Approver" }], holdSlot: true },
    });
    expect(put.status).toBe(200);
    const hold = await placeHold(t, room, at(5, 13), at(5, 14));
    expect(hold.approval).toEqual({ holdSlot: true, approvers: [{ email: approver, name: "Fay Approver" }] });
    // Nothing else is mailed meanwhile (the subscriptions' change notifications may run the sink as soon
    // as the meeting exists, so the queue is emptied before it is sent).
    await drain(t, "mail", 500);
    sendMeeting(t, room, at(5, 13), at(5, 14), hold.id);
    await resyncUntil(t, room, async () => (await bookingOf(hold.reservationId)) !== undefined);
    const b = await bookingOf(hold.reservationId);
    expect([b?.state, b?.approval?.holdSlot, b?.approval?.approvers.map((a) => a.email)]).toEqual([
      "awaiting-approval",
      true,
      [approver],
    ]);
    expect(await slots(room, 5)).toEqual([`${iso(at(5, 13))}|${iso(at(5, 14))}|${hold.reservationId}`]);
    const mail = (await drain(t, "mail")) as { to: { email: string }; template: { kind: string } }[];
    expect(mail.map((m) => [m.template.kind, m.to.email])).toEqual([["approval-requested", approver]]);
  });

  it("an approval that does not hold the slot: the hold's reservation is freed when the booking awaits approval", async () => {
    const room = "room-hq-104@contoso.example";
    const put = await t.s.call(t.admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "Board room, first come",
      approval: { required: true, approvers: [{ email: "fay.approver@contoso.example" }], holdSlot: false },
    });
    expect(put.status).toBe(200);
    const hold = await placeHold(t, room, at(8, 13), at(8, 14));
    // While the meeting is written the hold keeps the slot.
    expect(await slots(room, 8)).toEqual([`${iso(at(8, 13))}|${iso(at(8, 14))}|${hold.reservationId}`]);
    sendMeeting(t, room, at(8, 13), at(8, 14), hold.id);
    await resyncUntil(t, room, async () => (await bookingOf(hold.reservationId)) !== undefined);
    const b = await bookingOf(hold.reservationId);
    expect([b?.state, b?.approval?.holdSlot, b?.reserved]).toEqual(["awaiting-approval", false, {}]);
    expect(await slots(room, 8)).toEqual([]);
  });
});

describe("a sent meeting claims its hold by organizer, room and time (the app cannot read the organizer's calendar)", () => {
  let t: Setup;
  stackPerDescribe("application-resource-only", (started) => (t = started));

  it("the hold at the meeting's time is claimed, read twice it is claimed once, and the organizer's other hold lapses", async () => {
    const room = "room-hq-105@contoso.example";
    const used = await placeHold(t, room, at(6, 9), at(6, 10));
    const unused = await placeHold(t, room, at(6, 11), at(6, 12));
    // Outlook cannot be asked for the tag in this mode; the meeting carries it all the same.
    const iCalUId = sendMeeting(t, room, at(6, 9), at(6, 10), used.id);
    await Promise.all([
      handleCalendarChange({ kind: "room-resync", roomId: room, reason: "admin" }),
      handleCalendarChange({ kind: "room-resync", roomId: room, reason: "admin" }),
    ]);
    await resyncUntil(t, room);

    const b = await bookingOf(used.reservationId);
    expect([b?.state, b?.source, b?.calendar?.iCalUId]).toEqual(["confirmed", "outlook", iCalUId]);
    expect(await bookingsOfMeeting(room, 6, iCalUId)).toEqual([used.reservationId]);
    const holds = new TableHoldStore(getServices().tables);
    expect((await holds.get(used.id))?.hold.claimedICalUId).toBe(iCalUId);
    expect((await holds.get(unused.id))?.hold.claimedAt).toBeUndefined();
    expect(await slots(room, 6)).toEqual([
      `${iso(at(6, 9))}|${iso(at(6, 10))}|${used.reservationId}`,
      `${iso(at(6, 11))}|${iso(at(6, 12))}|${unused.reservationId}`,
    ]);

    // The hold nobody sent a meeting for lapses and frees its slot; the claimed one stays the booking's.
    offsetMs += 11 * 60_000;
    expect(await expireHolds()).toBe(1);
    expect(await slots(room, 6)).toEqual([`${iso(at(6, 9))}|${iso(at(6, 10))}|${used.reservationId}`]);
    expect(await holds.get(unused.id)).toBeUndefined();
  });

  it("a meeting at another time than the hold is an Outlook booking of its own; the hold lapses", async () => {
    const room = "room-hq-102@contoso.example";
    const hold = await placeHold(t, room, at(7, 9), at(7, 10));
    const iCalUId = sendMeeting(t, room, at(7, 9, 30), at(7, 10, 30), hold.id);
    await resyncUntil(t, room, async () => (await bookingsOfMeeting(room, 7, iCalUId)).length > 0);
    const [id] = await bookingsOfMeeting(room, 7, iCalUId);
    expect(id).not.toBe(hold.reservationId);
    expect(id?.startsWith("outlook-")).toBe(true);
    offsetMs += 11 * 60_000;
    expect(await expireHolds()).toBe(1);
    expect(await slots(room, 7)).toEqual([`${iso(at(7, 9, 30))}|${iso(at(7, 10, 30))}|${id}`]);
  });
});

/** Takes what is on a queue of the stack's broker (waits up to `waitMs` for the first message). */
async function drain(t: Setup, queue: string, waitMs = 3_000): Promise<unknown[]> {
  const client = new ServiceBusClient(t.s.bus.connectionString);
  try {
    const receiver = client.createReceiver(queue, { receiveMode: "receiveAndDelete" });
    const out: unknown[] = [];
    const end = Date.now() + waitMs;
    while (Date.now() < end) {
      const got = await receiver.receiveMessages(50, { maxWaitTimeInMs: 300 });
      out.push(...got.map((m) => m.body as unknown));
      if (got.length === 0 && out.length > 0) break;
    }
    await receiver.close();
    return out;
  } finally {
    await client.close();
  }
}

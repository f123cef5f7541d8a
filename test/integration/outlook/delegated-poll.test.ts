import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { ROOM_EVENTS_TABLE } from "../../../shared/adapters/tables/table-room-events";
import { BOOKINGS_TABLE, TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { POLICIES_TABLE, TablePolicyStore } from "../../../shared/adapters/tables/table-policy-store";
import {
  ROOM_SYNC_TABLE,
  TableRoomSyncStateStore,
} from "../../../shared/adapters/tables/table-room-sync-state";
import type { RoomSyncRecord } from "../../../shared/app/ports/room-calendars";
import { outlookBookingId } from "../../../shared/app/calendar/booking-sink";
import { resetServices } from "../../../shared/composition";
import { calendarUseCases, type CalendarUseCases } from "../../../shared/composition/calendar";
import { getServices } from "../../../shared/composition/services";
import { resetSettings } from "../../../shared/config";
import { policyRulesSchema } from "../../../shared/domain/bookings/policy";
import { mailboxId } from "../../../shared/domain/rooms/room";
import { clearOfUtcMidnight, testClockOffsetMs } from "../../support/clock";
import { eventually } from "../../support/eventually";
import { CookieJar, signIn, startAuthStack, type AuthStack } from "../auth/helpers";
import { utcAt } from "../m365/calendar-helpers";
import { clearTable, storeRooms } from "./harness";

/**
 * Delegated mode: Graph sends no notifications about room calendars, so the `calendar-poll` use case
 * reads each room with the token of a signed-in user the room's calendar is shared with. The
 * simulator refuses delegated delta links on other mailboxes, as Graph does.
 */
const SHARED = "room-tower-104@fabrikam.example";
const UNSHARED = "room-tower-105@fabrikam.example";
const ADMIN = "poll.admin@contoso.example";

let stack: AuthStack;
let bus: RunningServiceBus;
let reader: { id: string; upn: string };
let organizer: string;
let calendar: CalendarUseCases;
let clock = new Date();
let store: TableBookingStore;

beforeAll(async () => {
  stack = await startAuthStack();
  bus = await startServiceBus({
    queues: (["calendar-changes", "booking-commands", "mail"] as const).map((name) => ({
      name,
      maxDeliveryCount: 5,
      lockDurationMs: 30_000,
    })),
  });
  process.env.SERVICEBUS = bus.connectionString;
  resetSettings();
  await resetServices();
  const rec = stack.sim.control.addUser({
    userPrincipalName: "room.reader@fabrikam.example",
    displayName: "Room Reader",
  });
  reader = { id: rec.id, upn: rec.data.userPrincipalName };
  organizer = stack.sim.control.addUser({
    userPrincipalName: "ola.organizer@fabrikam.example",
    displayName: "Ola Organizer",
  }).data.userPrincipalName;
  await stack.configure("delegated", DEMO_APPS.delegatedPermission, {});
  const integration = await getServices().integrationStore.get();
  await getServices().integrationStore.save({ ...integration!, adminEmails: [ADMIN] });
  expect((await signIn(stack, new CookieJar(), reader.upn)).status).toBe(302);
  expect(await getServices().graphTokens.usersWithToken()).toEqual([reader.id]);
  // Signed in: from here the simulator keeps the tests' time (ONES_TEST_NOW, test/support/clock.ts).
  stack.sim.control.advanceClock(testClockOffsetMs());
  calendar = calendarUseCases(getServices(), { now: () => clock, pollSpreadMs: 0 });
  store = new TableBookingStore(getServices().tables);
});
afterAll(async () => {
  await stack.stop();
  await bus.stop();
});
/** Takes back what a test left in the simulator's calendars (a long series), before the next test. */
let undo: (() => void) | undefined;

beforeEach(async () => {
  undo?.();
  undo = undefined;
  for (const t of [ROOM_SYNC_TABLE, ROOM_EVENTS_TABLE, BOOKINGS_TABLE, "roombookings", POLICIES_TABLE])
    await clearTable(getServices().tables, t);
  // The reader may read one room's calendar and not the other's.
  stack.sim.control.setCalendarPermission(SHARED, reader.id, "read");
  stack.sim.control.setCalendarPermission(UNSHARED, reader.id, "none");
  await storeRooms(getServices(), [SHARED, UNSHARED]);
  // The read window starts at a UTC day boundary; the tests move the clock on by minutes.
  clock = clearOfUtcMidnight();
  await takeMail(300);
});

async function takeMail(waitMs: number): Promise<Array<{ to: string; kind: string; rule?: string }>> {
  const client = new ServiceBusClient(bus.connectionString);
  try {
    const receiver = client.createReceiver("mail", { receiveMode: "receiveAndDelete" });
    const got = await receiver.receiveMessages(20, { maxWaitTimeInMs: waitMs });
    await receiver.close();
    return got.map((m) => {
      const body = m.body as { to: { email: string }; template: { kind: string; rule?: string } };
      return {
        to: body.to.email,
        kind: body.template.kind,
        ...(body.template.rule === undefined ? {} : { rule: body.template.rule.split(":")[0] }),
      };
    });
  } finally {
    await client.close();
  }
}

function meet(day: number, hour: number, minutes: number, subject: string) {
  const start = utcAt(stack.sim, day, hour);
  const end = new Date(Date.parse(`${start}Z`) + minutes * 60_000).toISOString().slice(0, 19);
  return stack.sim.control.calendar.createMeeting({ organizer, subject, start, end, rooms: [SHARED] });
}

/** The room's own copy of a meeting (event ids are per mailbox). */
function roomCopyId(iCalUId: string): string {
  const copy = stack.sim.control.calendar.events(SHARED).find((e) => e.iCalUId === iCalUId);
  if (copy === undefined) throw new Error("the room has no copy of the meeting");
  return copy.id as string;
}

const roomState = async (email: string): Promise<Partial<RoomSyncRecord>> =>
  (await new TableRoomSyncStateStore(getServices().tables).get(mailboxId(email))) ?? {};

describe("calendar-poll (delegated)", () => {
  it("picks up a meeting created, moved and cancelled in Outlook, with the sharing user's token", async () => {
    expect(await calendar.poll()).toMatchObject({ rooms: 2, read: 1, noSharingUser: 1, failed: 0 });
    const state = await roomState(SHARED);
    expect(state).toMatchObject({ pollUserId: reader.id, pollAccess: "ok", lastPollAt: clock.toISOString() });

    const created = meet(2, 9, 30, "Planning");
    const id = outlookBookingId(mailboxId(SHARED), roomCopyId(created.iCalUId as string));
    const start = Date.parse(`${utcAt(stack.sim, 2, 9)}Z`);
    await eventually(async () => {
      await calendar.poll();
      return (await store.get(id)) !== undefined;
    });
    const made = (await store.get(id))?.booking;
    expect(made).toMatchObject({
      source: "outlook",
      state: "confirmed",
      organizer: { email: organizer },
      start,
      end: start + 30 * 60_000,
    });

    const movedStart = Date.parse(`${utcAt(stack.sim, 3, 14)}Z`);
    stack.sim.control.calendar.updateMeeting(organizer, created.id as string, {
      start: utcAt(stack.sim, 3, 14),
      end: new Date(movedStart + 45 * 60_000).toISOString().slice(0, 19),
    });
    await eventually(async () => {
      await calendar.poll();
      return (await store.get(id))?.booking.start === movedStart;
    });
    expect((await store.get(id))?.booking).toMatchObject({
      start: movedStart,
      end: movedStart + 45 * 60_000,
    });
    expect((await store.get(id))?.booking.reserved).toEqual({
      [mailboxId(SHARED)]: [
        { key: new Date(start).toISOString(), start: movedStart, end: movedStart + 45 * 60_000 },
      ],
    });

    stack.sim.control.calendar.cancelMeeting(organizer, created.id as string, {});
    await eventually(async () => {
      await calendar.poll();
      return (await store.get(id))?.booking.state === "cancelled";
    });
    expect((await store.get(id))?.booking).toMatchObject({ state: "cancelled", reserved: {} });
  });

  it("reports a room no signed-in user may read, and picks it up once it is shared", async () => {
    await calendar.poll();
    expect(await roomState(UNSHARED)).toMatchObject({
      pollAccess: "no-sharing-user",
      lastError: { code: "no-sharing-user", at: clock.toISOString() },
    });
    expect((await roomState(UNSHARED)).pollUserId).toBeUndefined();
    // The admin's view of it.
    const page = await calendar.roomSyncStatus({ limit: 50 });
    expect(page.items.find((r) => r.roomId === mailboxId(UNSHARED))?.pollAccess).toBe("no-sharing-user");

    stack.sim.control.setCalendarPermission(UNSHARED, reader.id, "read");
    clock = new Date(clock.getTime() + 60_000);
    expect(await calendar.poll()).toMatchObject({ rooms: 2, read: 2, noSharingUser: 0, failed: 0 });
    expect(await roomState(UNSHARED)).toMatchObject({ pollAccess: "ok", pollUserId: reader.id });
    expect((await roomState(UNSHARED)).lastError).toBeUndefined();
  });

  it("an admin's resync of a room reads it in full with the sharing user's token", async () => {
    await calendar.poll();
    const before = await roomState(SHARED);
    const resync = {
      kind: "room-resync" as const,
      roomId: mailboxId(SHARED),
      reason: "admin" as const,
      receivedAt: clock.toISOString(),
    };
    clock = new Date(clock.getTime() + 60_000);
    const done = await calendar.processCalendarChange(resync);
    expect(done).toMatchObject({
      outcome: "read",
      full: true,
      events: before.eventsRead,
      upserted: 0,
      removed: 0,
    });
    expect(await roomState(SHARED)).toMatchObject({ lastReadKind: "full", lastPollAt: clock.toISOString() });
    const unshared = { ...resync, roomId: mailboxId(UNSHARED) };
    await expect(calendar.processCalendarChange(unshared)).rejects.toMatchObject({ code: "forbidden" });
  });

  it("reads plain calendarView where Graph refuses delta's links, and tries delta again the next day", async () => {
    // A daily series: more occurrences in the window than one page holds, so the round needs its links.
    const start = utcAt(stack.sim, 1, 7);
    const daily = stack.sim.control.calendar.createMeeting({
      organizer,
      subject: "Daily",
      start,
      end: new Date(Date.parse(`${start}Z`) + 15 * 60_000).toISOString().slice(0, 19),
      rooms: [SHARED],
      recurrence: {
        pattern: { type: "daily", interval: 1 },
        range: { type: "numbered", startDate: start.slice(0, 10), numberOfOccurrences: 110 },
      },
    });
    undo = () => stack.sim.control.calendar.cancelMeeting(organizer, daily.id as string, {});
    expect(await calendar.poll()).toMatchObject({ read: 1, changed: 1 });
    expect(await roomState(SHARED)).toMatchObject({ pollMethod: "calendarView", lastReadKind: "full" });
    const occurrences = async () =>
      (await store.get(outlookBookingId(mailboxId(SHARED), roomCopyId(daily.iCalUId as string))))?.booking
        .reserved[mailboxId(SHARED)]?.length;
    expect(await occurrences()).toBe(110);
    // Nothing changed since: the plain read is not handed to the bookings again.
    clock = new Date(clock.getTime() + 60_000);
    expect(await calendar.poll()).toMatchObject({ read: 1, changed: 0 });

    // The next day delta is tried again; where Graph lets the user follow its links, it stays.
    stack.sim.control.calendar.configure({ delegatedSharedDeltaNextLinkDenied: false });
    try {
      clock = new Date(clock.getTime() + 86_400_000);
      expect(await calendar.poll()).toMatchObject({ read: 1, failed: 0 });
      expect(await roomState(SHARED)).toMatchObject({ pollMethod: "delta", lastReadKind: "full" });
      clock = new Date(clock.getTime() + 60_000);
      expect(await calendar.poll()).toMatchObject({ read: 1, changed: 0 });
      expect(await roomState(SHARED)).toMatchObject({ pollMethod: "delta", lastReadKind: "delta" });
      expect(await occurrences()).toBe(110);
    } finally {
      stack.sim.control.calendar.configure({ delegatedSharedDeltaNextLinkDenied: true });
    }
  }, 120_000);

  it("flags a policy-breaking Outlook booking it may not decline, and mails the admins once", async () => {
    await new TablePolicyStore(getServices().tables).putRoomPolicy(
      mailboxId(SHARED),
      policyRulesSchema.parse({ name: "Short meetings", maxDurationMinutes: 60 }),
      new Date(),
    );
    // The demo week's long meetings are flagged on the first read; this test counts from there.
    await calendar.poll();
    await takeMail(500);
    const before = (await roomState(SHARED)).policyFlags ?? 0;
    const long = meet(4, 9, 120, "Offsite");
    const id = outlookBookingId(mailboxId(SHARED), roomCopyId(long.iCalUId as string));
    await eventually(async () => {
      await calendar.poll();
      return (await store.get(id)) !== undefined;
    });
    const b = (await store.get(id))?.booking;
    expect(b?.state).toBe("confirmed");
    expect(b?.reason).toMatch(/^max-duration: /);
    expect(await roomState(SHARED)).toMatchObject({
      policyFlags: before + 1,
      lastPolicyFlag: { bookingId: id, rule: "max-duration", at: clock.toISOString() },
    });
    // Nothing was declined on the room's behalf: the organizer got no response.
    expect(
      stack.sim.control.calendar
        .messages(organizer)
        .filter((m) => m.kind === "meetingDeclined" && m.iCalUId === long.iCalUId),
    ).toEqual([]);
    expect(await takeMail(2_000)).toEqual([{ to: ADMIN, kind: "booking-flagged", rule: "max-duration" }]);
    // Later polls do not flag or mail it again.
    clock = new Date(clock.getTime() + 60_000);
    await calendar.poll();
    expect((await roomState(SHARED)).policyFlags).toBe(before + 1);
    expect(await takeMail(500)).toEqual([]);
  }, 60_000);
});

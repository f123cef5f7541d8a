import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { TableDeadLetterStore } from "../../../shared/adapters/tables/table-dead-letter-store";
import { putRoomPolicy } from "../../../shared/composition/bookings";
import { autoRelease } from "../../../shared/composition/displays";
import { getServices } from "../../../shared/composition/services";
import { policyRulesSchema } from "../../../shared/domain/bookings/policy";
import { eventually } from "../../support/eventually";
import { startDurableStack, utc, type DurableStack, type GraphEvent } from "./durable-stack";
import {
  holdFirst,
  killDisplayHosts,
  startDisplayHost,
  type DisplayHost,
  type HeldRequest,
} from "./killed-host";

/**
 * Prompt recovery of display changes and auto-releases whose host dies between ONES's store and Graph:
 * the change is saved owing its calendar write, a follow-up command is scheduled on `booking-commands`
 * half a minute later, and only then is Graph called. The display actions and the auto-release run on a
 * host in a child process, killed (SIGKILL) while the simulator holds its Graph write; the follow-up
 * is handled by the booking stack's own consumer, without the recovery sweep. The app's clock and the
 * broker's are the test's (`at`; a scheduled message comes due when the clock passes it and the broker
 * is ticked); the meetings lie in 2027.
 */
let d: DurableStack;
let clock = Date.parse("2027-05-03T08:00:00Z");
const at = (iso: string): void => {
  clock = Date.parse(iso);
};

const WALK_IN_ROOM = "room-hq-104@contoso.example";
const EXTEND_ROOM = "room-hq-105@contoso.example";
const RACE_ROOM = "room-hq-106@contoso.example";
const RELEASE_ROOM = "room-hq-201@contoso.example";
const SERIES_ROOM = "room-hq-202@contoso.example";

beforeAll(async () => {
  d = await startDurableStack(() => clock, { busClock: true });
  await putRoomPolicy(
    RELEASE_ROOM,
    policyRulesSchema.parse({
      name: "Check-in",
      checkIn: { required: true, windowBeforeMinutes: 10, graceAfterMinutes: 15 },
    }),
  );
}, 180_000);
afterEach(async () => {
  await killDisplayHosts();
});
afterAll(async () => {
  await d?.stop();
});

const faults = () => d.s.auth.sim.control.faults;
const store = () => new TableBookingStore(getServices().tables);

/** A display action sent to the child host; a host killed meanwhile answers nothing. */
function act(
  host: DisplayHost,
  credential: string,
  action: string,
  body: Record<string, unknown>,
): Promise<Response | undefined> {
  return fetch(`${host.baseUrl}/api/displays/actions/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).catch(() => undefined);
}

/** A display action sent to a child host and stopped at its first Graph request under `prefix`. */
async function heldAction(
  credential: string,
  prefix: string,
  action: string,
  body: Record<string, unknown>,
): Promise<{ held: HeldRequest; host: DisplayHost; answer: Promise<Response | undefined> }> {
  const held = holdFirst(faults(), prefix);
  const host = await startDisplayHost("actions", clock);
  const answer = act(host, credential, action, body);
  await held.arrived;
  return { held, host, answer };
}

/** Moves both clocks half a minute on (plus a second), so the follow-ups queued until now come due. */
function followUpsDue(): void {
  clock += 31_000;
  d.s.bus.tick();
}

const settled = (): boolean => {
  const c = d.commands();
  return c.active + c.locked + c.scheduled === 0;
};

/** Waits until the queue is empty (the follow-ups handled) and `done` holds. */
const settledWith = (done: () => Promise<boolean>): Promise<void> =>
  eventually(async () => settled() && (await done()), {
    timeoutMs: 30_000,
    explain: () => JSON.stringify(d.commands()),
  });

/**
 * Waits until the organizer's events of the booking are `expected` ([id, cancelled, rooms invited]):
 * Exchange answers a room's removal in its own time; the organizer keeps the meeting.
 */
async function organizerEventIs(bookingId: string, expected: unknown[][]): Promise<void> {
  let seen: unknown[][] = [];
  await eventually(
    async () => {
      seen = (await d.eventsOf(d.ann.upn, bookingId)).map((e) => [
        e.id,
        e.isCancelled,
        e.attendees.filter((a) => a.type === "resource").map((a) => a.emailAddress.address.toLowerCase()),
      ]);
      return JSON.stringify(seen) === JSON.stringify(expected);
    },
    { timeoutMs: 20_000, explain: () => JSON.stringify(seen) },
  );
}

/** The one booking holding `roomId` around now. */
async function holderOf(roomId: string): Promise<string> {
  const entries = await store().roomSlots(roomId, clock - 3_600_000, clock + 3_600_000);
  expect(entries).toHaveLength(1);
  return entries[0]?.bookingId ?? "";
}

describe("a display action whose host dies at its Graph write is completed by its follow-up", () => {
  it("a walk-in whose event Graph made after the host died is linked, never made twice", async () => {
    const credential = await d.pairedFor(WALK_IN_ROOM);
    at("2027-05-03T09:10:30Z");
    const { held, host, answer } = await heldAction(credential, `/users/${WALK_IN_ROOM}/events`, "book-now", {
      minutes: 30,
    });
    // Before Graph was called: the walk-in saved owing its event, and its follow-up scheduled.
    const id = await holderOf(WALK_IN_ROOM);
    const saved = await d.booking(id);
    expect([saved.state, saved.calendarOwed, saved.calendar?.eventId]).toEqual([
      "confirmed",
      "write",
      undefined,
    ]);
    expect(d.commands()).toEqual({ active: 0, locked: 0, scheduled: 1, deadLettered: 0 });

    await host.kill();
    expect(await answer).toBeUndefined();
    // Exchange carries out the create the dead host sent; ONES never heard of the event.
    held.release();
    await eventually(async () => (await d.eventsOf(WALK_IN_ROOM, id)).length === 1, { timeoutMs: 20_000 });
    expect((await d.booking(id)).calendarOwed).toBe("write");

    followUpsDue();
    await settledWith(async () => (await d.booking(id)).calendarOwed === undefined);
    const events = await d.eventsOf(WALK_IN_ROOM, id);
    const after = await d.booking(id);
    expect(
      events.map((e) => [
        e.id,
        e.isCancelled,
        utc(e.start.dateTime),
        utc(e.end.dateTime),
        e.attendees.length,
      ]),
    ).toEqual([[after.calendar?.eventId, false, "2027-05-03T09:10:00.000Z", "2027-05-03T09:40:00.000Z", 0]]);
    expect(after.state).toBe("confirmed");
  }, 120_000);

  it("an extension Graph never received is written by the follow-up", async () => {
    const credential = await d.pairedFor(EXTEND_ROOM);
    at("2027-05-03T09:45:00Z");
    const id = await d.confirmed({
      roomIds: [EXTEND_ROOM],
      start: "2027-05-03T10:00:00Z",
      end: "2027-05-03T11:00:00Z",
    });
    const eventId = (await d.booking(id)).calendar?.eventId ?? "";
    at("2027-05-03T10:20:00Z");
    const { held, host, answer } = await heldAction(
      credential,
      `/users/${d.ann.upn}/events/${eventId}`,
      "extend",
      { itemId: `${id}|2027-05-03T10:00:00.000Z`, minutes: 30 },
    );
    const saved = await d.booking(id);
    expect([saved.end, saved.calendarOwed]).toEqual([Date.parse("2027-05-03T11:30:00Z"), "write"]);
    expect(d.commands().scheduled).toBe(1);

    await host.kill();
    expect(await answer).toBeUndefined();
    held.drop();
    const endOfEvent = async (): Promise<string[]> =>
      (await d.eventsOf(d.ann.upn, id)).map((e) => utc(e.end.dateTime));
    expect(await endOfEvent()).toEqual(["2027-05-03T11:00:00.000Z"]);

    followUpsDue();
    await settledWith(async () => (await d.booking(id)).calendarOwed === undefined);
    expect(await endOfEvent()).toEqual(["2027-05-03T11:30:00.000Z"]);
    const after = await d.booking(id);
    expect([after.state, after.end, after.presence?.extended]).toEqual([
      "confirmed",
      Date.parse("2027-05-03T11:30:00Z"),
      ["2027-05-03T10:00:00.000Z"],
    ]);
  }, 120_000);

  it("a follow-up that runs while the request's own create is still under way makes no second event (transactionId)", async () => {
    const credential = await d.pairedFor(RACE_ROOM);
    at("2027-05-03T12:00:20Z");
    const { held, answer } = await heldAction(credential, `/users/${RACE_ROOM}/events`, "book-now", {
      minutes: 15,
    });
    const id = await holderOf(RACE_ROOM);

    // The request is slow, not dead: its follow-up finds no event yet and makes one.
    followUpsDue();
    await settledWith(async () => (await d.booking(id)).calendar?.eventId !== undefined);
    const made = (await d.booking(id)).calendar?.eventId;
    // Then the request's own create arrives: Exchange answers it with the event of the same transactionId.
    held.release();
    const response = await answer;
    expect(response?.status).toBe(200);
    expect((await d.eventsOf(RACE_ROOM, id)).map((e) => [e.id, e.isCancelled])).toEqual([[made, false]]);
    const after = await d.booking(id);
    expect([after.calendar?.eventId, after.calendarOwed]).toEqual([made, undefined]);
  }, 120_000);
});

describe("a series occurrence ended on a display whose host dies at its Graph write", () => {
  it("is moved in Exchange by its follow-up (move-occurrence)", async () => {
    const credential = await d.pairedFor(SERIES_ROOM);
    at("2027-05-03T12:30:00Z");
    // Three weekly Monday meetings, 13:00–14:00 UTC, from 3 May.
    const id = await d.confirmed({
      roomIds: [SERIES_ROOM],
      start: "2027-05-03T13:00:00Z",
      end: "2027-05-03T14:00:00Z",
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] },
        range: { type: "numbered", numberOfOccurrences: 3 },
      },
    });
    const seriesId = (await d.booking(id)).calendar?.eventId ?? "";
    const key = "2027-05-03T13:00:00.000Z";
    const firstEnds = async (): Promise<string[]> => {
      const view = await d.s.graph<{ value: (GraphEvent & { seriesMasterId: string | null })[] }>(
        `/users/${d.ann.upn}/calendarView?startDateTime=2027-05-03T12:00:00Z&endDateTime=2027-05-03T15:00:00Z`,
      );
      return view.value.filter((e) => e.seriesMasterId === seriesId).map((e) => utc(e.end.dateTime));
    };
    expect(await firstEnds()).toEqual(["2027-05-03T14:00:00.000Z"]);

    at("2027-05-03T13:25:10Z");
    const { held, host, answer } = await heldAction(
      credential,
      `/users/${d.ann.upn}/events/${seriesId}`,
      "end",
      { itemId: `${id}|${key}` },
    );
    const saved = await d.booking(id);
    expect([saved.exceptions.moved, saved.occurrencesOwed]).toEqual([
      [{ key, start: Date.parse(key), end: Date.parse("2027-05-03T13:25:00Z") }],
      [{ key, version: saved.version }],
    ]);
    expect(d.commands().scheduled).toBe(1);

    await host.kill();
    expect(await answer).toBeUndefined();
    held.drop();
    expect(await firstEnds()).toEqual(["2027-05-03T14:00:00.000Z"]);

    followUpsDue();
    await settledWith(async () => (await d.booking(id)).occurrencesOwed === undefined);
    expect(await firstEnds()).toEqual(["2027-05-03T13:25:00.000Z"]);
  }, 120_000);
});

describe("an auto-release whose host dies at its Graph write", () => {
  it("is recorded in ONES before Graph, and its follow-up frees the room in ONES and Exchange", async () => {
    at("2027-05-04T08:00:00Z");
    const releaseCredential = await d.pairedFor(RELEASE_ROOM);
    const mails = () => d.s.bus.stats().mail?.active ?? 0;
    const mailsAtFirst = mails();
    const id = await d.confirmed({
      roomIds: [RELEASE_ROOM],
      start: "2027-05-04T09:00:00Z",
      end: "2027-05-04T10:00:00Z",
    });
    const key = "2027-05-04T09:00:00.000Z";
    const eventId = (await d.booking(id)).calendar?.eventId ?? "";
    // The confirmation's mail is queued just after the booking is stored confirmed.
    await eventually(() => mails() === mailsAtFirst + 1, { timeoutMs: 10_000 });
    const mailsBefore = mails();
    await organizerEventIs(id, [[eventId, false, [RELEASE_ROOM]]]);

    // Start + grace: nobody checked in.
    at("2027-05-04T09:15:00Z");
    const held = holdFirst(faults(), `/users/${d.ann.upn}/events/${eventId}`);
    const host = await startDisplayHost("auto-release", clock);
    await held.arrived;
    // Before Graph was called: the release recorded and owed, the follow-up scheduled; the slot is
    // freed only once Exchange has given the room back.
    const saved = await d.booking(id);
    expect([saved.state, saved.presence?.released, saved.releasesOwed]).toEqual([
      "confirmed",
      [key],
      [{ roomId: RELEASE_ROOM, key }],
    ]);
    expect((await store().roomSlots(RELEASE_ROOM, clock - 3_600_000, clock)).map((e) => e.bookingId)).toEqual(
      [id],
    );
    expect(d.commands().scheduled).toBe(1);

    await host.kill();
    // Released, though Exchange has not heard yet: a late check-in on the display is refused.
    const checkIn = await fetch(`${d.s.auth.host.baseUrl}/api/displays/actions/check-in`, {
      method: "POST",
      headers: { authorization: `Bearer ${releaseCredential}`, "content-type": "application/json" },
      body: JSON.stringify({ itemId: `${id}|${key}` }),
    });
    expect([checkIn.status, ((await checkIn.json()) as { detail: string }).detail]).toEqual([
      409,
      "Nobody checked in, so the room was released.",
    ]);
    held.release();
    await organizerEventIs(id, [[eventId, false, []]]);
    // Exchange has the room back; ONES still owes the rest.
    expect((await d.booking(id)).releasesOwed).toEqual([{ roomId: RELEASE_ROOM, key }]);

    followUpsDue();
    await settledWith(async () => (await d.booking(id)).releasesOwed === undefined);
    const after = await d.booking(id);
    expect([after.state, after.reason, after.reserved[RELEASE_ROOM]]).toEqual([
      "cancelled",
      "Released: nobody checked in.",
      [],
    ]);
    expect(
      await store().roomSlots(
        RELEASE_ROOM,
        Date.parse("2027-05-04T09:00:00Z"),
        Date.parse("2027-05-04T10:00:00Z"),
      ),
    ).toEqual([]);
    await organizerEventIs(id, [[eventId, false, []]]);
    expect(mails() - mailsBefore).toBe(1);
  }, 120_000);
});

describe("an auto-release whose follow-up was never queued", () => {
  it("is completed by the next run, which still finds the slot the release owes", async () => {
    at("2027-05-05T08:00:00Z");
    const id = await d.confirmed({
      roomIds: [RELEASE_ROOM],
      start: "2027-05-05T09:00:00Z",
      end: "2027-05-05T10:00:00Z",
    });
    const key = "2027-05-05T09:00:00.000Z";
    // What a run killed between saving the release and queueing its follow-up leaves.
    at("2027-05-05T09:15:00Z");
    const stored = await store().get(id);
    if (stored === undefined) throw new Error(`booking ${id} missing`);
    const b = stored.booking;
    await store().replace(
      {
        ...b,
        presence: { checkedIn: [], extended: [], released: [key] },
        releasesOwed: [{ roomId: RELEASE_ROOM, key }],
        version: b.version + 1,
      },
      stored.etag,
      b,
    );

    at("2027-05-05T09:16:00Z");
    expect(await autoRelease()).toEqual({ released: 0, completed: 1, rooms: 1 });
    const after = await d.booking(id);
    expect([after.state, after.releasesOwed, after.reserved[RELEASE_ROOM]]).toEqual([
      "cancelled",
      undefined,
      [],
    ]);
    await organizerEventIs(id, [[b.calendar?.eventId, false, []]]);
    expect(await autoRelease()).toEqual({ released: 0, completed: 0, rooms: 1 });
  }, 120_000);
});

describe("the release command on booking-commands", () => {
  it("a release naming no room is dead-lettered with the reason", async () => {
    const body = {
      command: "release",
      bookingId: "no-such-booking",
      version: 3,
      occurrence: "2027-05-04T09:00:00Z",
    };
    await getServices().workQueue.enqueue("booking-commands", { id: "release-without-room", body });
    const letters = new TableDeadLetterStore(getServices().tables);
    await eventually(
      async () =>
        (await letters.list({ queue: "booking-commands" })).some(
          (l) => l.messageId === "release-without-room",
        ),
      { timeoutMs: 20_000 },
    );
    const letter = (await letters.list({ queue: "booking-commands" })).find(
      (l) => l.messageId === "release-without-room",
    );
    expect([letter?.reason, letter?.description, letter?.body]).toEqual([
      "invalid-message",
      "The message is not valid: roomId.",
      body,
    ]);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { overrideServices } from "../../../shared/composition";
import { putRoomPolicy, roomScheduleSnapshot } from "../../../shared/composition/bookings";
import {
  autoRelease,
  issuePairingCode,
  pairDisplay,
  registerDisplay,
} from "../../../shared/composition/displays";
import { policyRulesSchema } from "../../../shared/domain/bookings/policy";
import { eventually } from "../../support/eventually";
import { startBookingStack, type BookingStack, type Person } from "../bookings/stack";

/**
 * Room display actions and auto-release end to end in the application mode: bookings through the API,
 * the calendar write through the local Service Bus to the simulator, the display's actions over HTTP
 * with its device credential, Graph read back as Outlook shows it. The app's clock is injected; the
 * meetings lie in 2027 so the simulator's attendant answers them as future meetings.
 */
let s: BookingStack;
let wps: RunningWebPubSub;
let ann: Person;
let clock = Date.parse("2027-03-01T08:00:00Z");
const at = (iso: string): void => {
  clock = Date.parse(iso);
};

const ROOM = "room-hq-104@contoso.example";
const OTHER = "room-hq-105@contoso.example";
const EXCHANGE_ROOM = "room-hq-106@contoso.example";
const RELEASE_ROOM = "room-hq-201@contoso.example";
let roomCredential = "";
let otherCredential = "";

async function pairedFor(roomId: string): Promise<string> {
  const view = await registerDisplay({ name: `Panel ${roomId}`, target: { kind: "room", roomId } });
  const { code } = await issuePairingCode(view.id);
  return (await pairDisplay({ code, address: "10.0.0.9" })).credential;
}

const checkInPolicy = (name: string, extra: Record<string, unknown> = {}) =>
  policyRulesSchema.parse({
    name,
    checkIn: { required: true, windowBeforeMinutes: 10, graceAfterMinutes: 15, ...extra },
  });

beforeAll(async () => {
  wps = await startWebPubSub();
  process.env.WEBPUBSUB_CONNECTION_STRING = wps.connectionString;
  process.env.WEBPUBSUB_HUB = "displays";
  s = await startBookingStack("application");
  await overrideServices({ now: () => new Date(clock) });
  ann = await s.person("ann.walker@contoso.example", "Ann Walker");
  for (const room of [ROOM, RELEASE_ROOM]) await putRoomPolicy(room, checkInPolicy(`Check-in ${room}`));
  await putRoomPolicy(EXCHANGE_ROOM, checkInPolicy("Left to Exchange", { releaseHandledByExchange: true }));
  roomCredential = await pairedFor(ROOM);
  otherCredential = await pairedFor(OTHER);
}, 180_000);
afterAll(async () => {
  await s?.stop();
  await wps?.stop();
  delete process.env.WEBPUBSUB_CONNECTION_STRING;
  delete process.env.WEBPUBSUB_HUB;
});

interface Problem {
  status: number;
  type: string;
}
interface Result {
  bookingId: string;
  start: string;
  end: string;
  checkedIn: boolean;
}

function act(credential: string, action: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${s.auth.host.baseUrl}/api/displays/actions/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Books through the API and waits until the room accepted; answers the snapshot item id. */
async function confirmedMeeting(room: string, start: string, end: string): Promise<string> {
  const made = await s.call(ann, "POST", "/api/bookings", {
    roomIds: [room],
    start,
    end,
    subject: "Standup",
  });
  expect(made.status).toBe(202);
  const { id } = (await made.json()) as { id: string };
  let state = "";
  await eventually(
    async () => {
      state = ((await (await s.call(ann, "GET", `/api/bookings/${id}`)).json()) as { state: string }).state;
      return state === "confirmed";
    },
    { timeoutMs: 30_000, explain: () => `booking ${id} is ${state}` },
  );
  return `${id}|${new Date(start).toISOString()}`;
}

interface GraphEvent {
  id: string;
  isCancelled: boolean;
  end: { dateTime: string };
  attendees: { type: string; emailAddress: { address: string } }[];
}

async function eventOf(mailbox: string, bookingId: string): Promise<GraphEvent | undefined> {
  const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${bookingId}')`;
  const page = await s.graph<{ value: GraphEvent[] }>(
    `/users/${mailbox}/events?$filter=${encodeURIComponent(filter)}`,
  );
  return page.value[0];
}

const utc = (graphTime: string): string => new Date(`${graphTime.replace(/Z$/, "")}Z`).toISOString();

describe("room display actions", () => {
  let item = "";
  let bookingId = "";

  beforeAll(async () => {
    item = await confirmedMeeting(ROOM, "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z");
    bookingId = item.split("|")[0] as string;
  }, 60_000);

  it("refuses check-in before its window, then checks in within it; the snapshot says so", async () => {
    at("2027-03-01T08:49:00Z");
    const early = await act(roomCredential, "check-in", { itemId: item });
    expect(early.status).toBe(409);
    at("2027-03-01T08:51:00Z");
    const done = await act(roomCredential, "check-in", { itemId: item });
    expect(done.status).toBe(200);
    expect(((await done.json()) as Result).checkedIn).toBe(true);
    const snapshot = await roomScheduleSnapshot(ROOM);
    const shown = snapshot.items.find((i) => i.id === item);
    expect(shown?.checkedIn).toBe(true);
    expect(shown?.actions).toEqual([]);
    expect(snapshot.rules).toEqual({
      checkInRequired: true,
      checkInBeforeMinutes: 10,
      checkInGraceMinutes: 15,
      pinRequired: false,
    });
  });

  it("a display of another room, or no credential, cannot act for this room's meeting", async () => {
    at("2027-03-01T09:10:00Z");
    for (const action of ["check-in", "end"]) {
      const refused = await act(otherCredential, action, { itemId: item });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as Problem).type).toMatch(/forbidden$/);
    }
    const extend = await act(otherCredential, "extend", { itemId: item, minutes: 30 });
    expect(extend.status).toBe(403);
    const anonymous = await act("nobody.secret", "end", { itemId: item });
    expect(anonymous.status).toBe(401);
    expect((await roomScheduleSnapshot(ROOM)).items.find((i) => i.id === item)?.end).toBe(
      "2027-03-01T10:00:00.000Z",
    );
  });

  it("extends into free time (the organizer's event moves too), and refuses to extend over the next meeting", async () => {
    const next = await confirmedMeeting(ROOM, "2027-03-01T11:00:00Z", "2027-03-01T11:30:00Z");
    at("2027-03-01T09:20:00Z");
    const extended = await act(roomCredential, "extend", { itemId: item, minutes: 30 });
    expect(extended.status).toBe(200);
    expect(((await extended.json()) as Result).end).toBe("2027-03-01T10:30:00.000Z");
    expect(utc((await eventOf(ann.upn, bookingId))?.end.dateTime ?? "")).toBe("2027-03-01T10:30:00.000Z");
    const over = await act(roomCredential, "extend", { itemId: item, minutes: 60 });
    expect(over.status).toBe(409);
    expect((await roomScheduleSnapshot(ROOM)).items.map((i) => [i.id, i.end])).toEqual([
      [item, "2027-03-01T10:30:00.000Z"],
      [next, "2027-03-01T11:30:00.000Z"],
    ]);
  });

  it("ends early: the event and the reservation end at the current minute, so a walk-in can follow at once", async () => {
    at("2027-03-01T09:40:20Z");
    const ended = await act(roomCredential, "end", { itemId: item });
    expect(ended.status).toBe(200);
    expect(((await ended.json()) as Result).end).toBe("2027-03-01T09:40:00.000Z");
    const event = await eventOf(ann.upn, bookingId);
    expect(event?.isCancelled).toBe(false);
    expect(utc(event?.end.dateTime ?? "")).toBe("2027-03-01T09:40:00.000Z");
    const shown = (await roomScheduleSnapshot(ROOM)).items.find((i) => i.id === item);
    expect([shown?.end, shown?.actions]).toEqual(["2027-03-01T09:40:00.000Z", []]);

    at("2027-03-01T09:40:40Z");
    const walkIn = await act(roomCredential, "book-now", { minutes: 30 });
    expect(walkIn.status).toBe(200);
    expect(await walkIn.json()).toMatchObject({
      start: "2027-03-01T09:40:00.000Z",
      end: "2027-03-01T10:10:00.000Z",
      checkedIn: true,
    });
  });

  it("books now until the next meeting, written in the room's own calendar", async () => {
    at("2027-03-01T10:15:30Z");
    const walkIn = await act(roomCredential, "book-now", { minutes: 60 });
    expect(walkIn.status).toBe(200);
    const result = (await walkIn.json()) as Result;
    expect(result).toMatchObject({ start: "2027-03-01T10:15:00.000Z", end: "2027-03-01T11:00:00.000Z" });
    expect(result.checkedIn).toBe(true);
    const event = await eventOf(ROOM, result.bookingId);
    expect(utc(event?.end.dateTime ?? "")).toBe("2027-03-01T11:00:00.000Z");
    const busy = await act(roomCredential, "book-now", { minutes: 30 });
    expect(busy.status).toBe(409);
  });
});

describe("auto-release", () => {
  it("releases exactly at start + grace, never a checked-in or extended meeting, never a room left to Exchange", async () => {
    const noShow = await confirmedMeeting(RELEASE_ROOM, "2027-03-02T09:00:00Z", "2027-03-02T10:00:00Z");
    const present = await confirmedMeeting(RELEASE_ROOM, "2027-03-02T10:00:00Z", "2027-03-02T11:00:00Z");
    const extended = await confirmedMeeting(RELEASE_ROOM, "2027-03-02T11:00:00Z", "2027-03-02T12:00:00Z");
    const exchange = await confirmedMeeting(EXCHANGE_ROOM, "2027-03-02T09:00:00Z", "2027-03-02T10:00:00Z");
    const releaseCredential = await pairedFor(RELEASE_ROOM);
    at("2027-03-02T09:55:00Z");
    expect((await act(releaseCredential, "check-in", { itemId: present })).status).toBe(200);

    at("2027-03-02T09:14:59Z");
    expect((await autoRelease()).released).toBe(0);
    at("2027-03-02T09:15:00Z");
    expect(await autoRelease()).toEqual({ released: 1, completed: 0, rooms: 2 });
    expect((await autoRelease()).released).toBe(0);

    const noShowId = noShow.split("|")[0] as string;
    const view = (await (await s.call(ann, "GET", `/api/bookings/${noShowId}`)).json()) as {
      state: string;
    };
    expect(view.state).toBe("cancelled");
    const event = await eventOf(ann.upn, noShowId);
    expect(event?.isCancelled).toBe(false);
    expect(event?.attendees.filter((a) => a.type === "resource")).toEqual([]);
    expect((await roomScheduleSnapshot(RELEASE_ROOM)).items.map((i) => i.id)).toEqual([present, extended]);
    expect((await roomScheduleSnapshot(EXCHANGE_ROOM)).items.map((i) => i.id)).toEqual([exchange]);

    at("2027-03-02T10:30:00Z");
    expect((await autoRelease()).released).toBe(0);

    // Extended on the display (people are there) though nobody checked in: kept past the grace.
    at("2027-03-02T11:05:00Z");
    expect((await act(releaseCredential, "extend", { itemId: extended, minutes: 15 })).status).toBe(200);
    at("2027-03-02T11:15:00Z");
    expect((await autoRelease()).released).toBe(0);
    expect((await roomScheduleSnapshot(RELEASE_ROOM)).items.map((i) => [i.id, i.end])).toEqual([
      [present, "2027-03-02T11:00:00.000Z"],
      [extended, "2027-03-02T12:15:00.000Z"],
    ]);
  }, 120_000);
});

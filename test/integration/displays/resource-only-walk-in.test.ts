import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { overrideServices } from "../../../shared/composition";
import { roomScheduleSnapshot } from "../../../shared/composition/bookings";
import { issuePairingCode, pairDisplay, registerDisplay } from "../../../shared/composition/displays";
import { getServices } from "../../../shared/composition/services";
import type { IntegrationMode } from "../../../shared/domain/integration/modes";
import { CookieJar, signIn } from "../auth/helpers";
import { startBookingStack, type BookingStack } from "../bookings/stack";
import { storeRooms, testRoom } from "./rooms";

/**
 * Walk-ins in the resource-only modes, where ONES books nothing in people's calendars: the walk-in is
 * an event in the room's own calendar, the room its organizer. With the app's permission in the
 * application resource-only mode; in the delegated resource-only mode with the token of a signed-in
 * user Exchange lets write that calendar (a user without the right is passed over), and held in ONES
 * alone while nobody signed in may. The app's clock is injected; the walk-ins lie in 2027.
 */
const ROOM = "room-hq-104@contoso.example";
let clock = Date.parse("2027-04-05T09:00:30Z");

interface GraphEvent {
  id: string;
  subject: string;
  start: { dateTime: string };
  end: { dateTime: string };
  organizer: { emailAddress: { address: string } };
  attendees: unknown[];
}

async function pairedFor(roomId: string): Promise<string> {
  const view = await registerDisplay({ name: "Walk-in panel", target: { kind: "room", roomId } });
  const { code } = await issuePairingCode(view.id);
  return (await pairDisplay({ code, address: "10.0.0.7" })).credential;
}

async function walkIn(
  s: BookingStack,
  credential: string,
): Promise<{ status: number; bookingId: string; start: string; end: string }> {
  const response = await fetch(`${s.auth.host.baseUrl}/api/displays/actions/book-now`, {
    method: "POST",
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    body: JSON.stringify({ minutes: 30 }),
  });
  const body = (await response.json()) as { bookingId: string; start: string; end: string };
  return { status: response.status, ...body };
}

/** The room calendar's event carrying the booking id, as Graph has it (app token, UTC). */
async function roomEvent(s: BookingStack, bookingId: string): Promise<GraphEvent | undefined> {
  const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${bookingId}')`;
  const page = await s.graph<{ value: GraphEvent[] }>(
    `/users/${ROOM}/events?$filter=${encodeURIComponent(filter)}`,
  );
  return page.value[0];
}

const utc = (graphTime: string): string => new Date(`${graphTime.replace(/Z$/, "")}Z`).toISOString();

async function stackIn(mode: IntegrationMode, wps: RunningWebPubSub): Promise<BookingStack> {
  process.env.WEBPUBSUB_CONNECTION_STRING = wps.connectionString;
  process.env.WEBPUBSUB_HUB = "displays";
  const s = await startBookingStack(mode);
  await overrideServices({ now: () => new Date(clock) });
  return s;
}

let wps: RunningWebPubSub;
beforeAll(async () => {
  wps = await startWebPubSub();
});
afterAll(async () => {
  await wps?.stop();
  delete process.env.WEBPUBSUB_CONNECTION_STRING;
  delete process.env.WEBPUBSUB_HUB;
});

describe("a walk-in in the application resource-only mode", () => {
  let s: BookingStack;
  beforeAll(async () => {
    s = await stackIn("application-resource-only", wps);
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  it("is written in the room's own calendar with the app's permission, the room its organizer", async () => {
    const made = await walkIn(s, await pairedFor(ROOM));
    expect(made).toMatchObject({
      status: 200,
      start: "2027-04-05T09:00:00.000Z",
      end: "2027-04-05T09:30:00.000Z",
    });
    const event = await roomEvent(s, made.bookingId);
    expect([event?.subject, event?.organizer.emailAddress.address.toLowerCase(), event?.attendees]).toEqual([
      "Walk-in",
      ROOM,
      [],
    ]);
    expect([utc(event?.start.dateTime ?? ""), utc(event?.end.dateTime ?? "")]).toEqual([
      made.start,
      made.end,
    ]);
  });
});

describe("a walk-in in the delegated resource-only mode", () => {
  let s: BookingStack;
  let credential = "";
  beforeAll(async () => {
    s = await stackIn("delegated-resource-only", wps);
    // No /places in the delegated modes: the admin imports the room (written here as an import would).
    await storeRooms(getServices().tables, [testRoom(ROOM, "HQ 104", "contoso-hq:1")]);
    credential = await pairedFor(ROOM);
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  it("is held in ONES alone while no signed-in user may write the room's calendar", async () => {
    const nobody = await s.person("nils.norights@contoso.example", "Nils Norights");
    expect((await signIn(s.auth, new CookieJar(), nobody.upn)).status).toBe(302);
    const made = await walkIn(s, credential);
    expect(made).toMatchObject({
      status: 200,
      start: "2027-04-05T09:00:00.000Z",
      end: "2027-04-05T09:30:00.000Z",
    });
    expect(await roomEvent(s, made.bookingId)).toBeUndefined();
    expect((await roomScheduleSnapshot(ROOM)).items.map((i) => [i.id, i.title])).toEqual([
      [`${made.bookingId}|${made.start}`, "Walk-in"],
    ]);
  });

  it("is written in the room's own calendar with a delegate's token, the room its organizer; ending it shortens that event", async () => {
    const delegate = await s.person("fay.facilities@contoso.example", "Fay Facilities");
    s.auth.sim.control.setCalendarPermission(ROOM, delegate.upn, "write");
    expect((await signIn(s.auth, new CookieJar(), delegate.upn)).status).toBe(302);
    clock = Date.parse("2027-04-05T10:00:10Z");
    const made = await walkIn(s, credential);
    expect(made).toMatchObject({
      status: 200,
      start: "2027-04-05T10:00:00.000Z",
      end: "2027-04-05T10:30:00.000Z",
    });
    const event = await roomEvent(s, made.bookingId);
    expect([event?.subject, event?.organizer.emailAddress.address.toLowerCase()]).toEqual(["Walk-in", ROOM]);

    clock = Date.parse("2027-04-05T10:12:40Z");
    const ended = await fetch(`${s.auth.host.baseUrl}/api/displays/actions/end`, {
      method: "POST",
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      body: JSON.stringify({ itemId: `${made.bookingId}|${made.start}` }),
    });
    expect(ended.status).toBe(200);
    expect(utc((await roomEvent(s, made.bookingId))?.end.dateTime ?? "")).toBe("2027-04-05T10:12:00.000Z");
  });
});

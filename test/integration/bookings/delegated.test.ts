import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableSyncStore } from "../../../shared/adapters/tables/table-sync-store";
import { getServices } from "../../../shared/composition/services";
import { roomHash, type Room } from "../../../shared/domain/rooms/room";
import { eventually } from "../../support/eventually";
import { CookieJar, signIn } from "../auth/helpers";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * The delegated mode: ONES writes with the organizer's own token into their own calendar, so a person
 * must have signed in once; without that the booking is refused with a problem saying so, and mailed.
 */
let s: BookingStack;
let dana: Person;
const ROOM = "room-hq-104@contoso.example";

beforeAll(async () => {
  s = await startBookingStack("delegated");
  dana = await s.person("dana.delegate@contoso.example", "Dana Delegate");
  // Delegated modes have no /places: the admin imports rooms (here written as an import would).
  const room: Room = {
    id: ROOM,
    email: ROOM,
    displayName: "HQ 104",
    capacity: 8,
    buildingId: "contoso-hq",
    buildingName: "Contoso HQ",
    floorId: "contoso-hq:1",
    floorLabel: "1",
    floorNumber: 1,
    wheelchairAccessible: true,
    bookable: true,
    tags: [],
    devices: [],
    roomListIds: [],
    timeZone: "Europe/Amsterdam",
    timeZoneSource: "admin",
    source: "import",
    active: true,
  };
  const writer = new TableSyncStore(getServices().tables).writer();
  await writer.add({ entity: "room", room, hash: roomHash(room) }, 0);
  writer.pageComplete(0);
  await writer.flush();
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

const body = (start: string, end: string) => ({ roomIds: [ROOM], start, end, subject: "Delegated planning" });

describe("bookings in the delegated mode", () => {
  it("refuse a person who never signed in, saying so, and mail them", async () => {
    const mailBefore = s.bus.stats().mail?.active ?? 0;
    const response = await s.call(
      dana,
      "POST",
      "/api/bookings",
      body("2027-01-12T10:00:00Z", "2027-01-12T11:00:00Z"),
    );
    expect(response.status).toBe(403);
    const problem = (await response.json()) as { type: string; reason: string; detail: string };
    expect([problem.type, problem.reason]).toEqual(["urn:ones:problem:forbidden", "sign-in-required"]);
    expect(problem.detail).toMatch(/Sign in to ONES once/);
    expect(s.bus.stats().mail?.active).toBe(mailBefore + 1);
    const schedule = await s.call(
      dana,
      "GET",
      `/api/rooms/${ROOM}/schedule?from=2027-01-12T00:00:00Z&to=2027-01-13T00:00:00Z`,
    );
    expect(((await schedule.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("write a signed-in person's booking into their own calendar with their token", async () => {
    const jar = new CookieJar();
    expect((await signIn(s.auth, jar, dana.upn)).status).toBe(302);
    const response = await fetch(`${s.auth.host.baseUrl}/api/bookings`, {
      method: "POST",
      headers: { cookie: jar.header(), origin: s.auth.host.baseUrl, "content-type": "application/json" },
      body: JSON.stringify(body("2027-01-12T10:00:00Z", "2027-01-12T11:00:00Z")),
    });
    expect(response.status).toBe(202);
    const created = (await response.json()) as { id: string };
    let state = "";
    await eventually(
      async () => {
        const r = await fetch(`${s.auth.host.baseUrl}/api/bookings/${created.id}`, {
          headers: { cookie: jar.header() },
        });
        state = ((await r.json()) as { state: string }).state;
        return state === "confirmed";
      },
      { timeoutMs: 30_000, explain: () => `booking is ${state}` },
    );
    const events = await s.graph<{
      value: { subject: string; organizer: { emailAddress: { address: string } } }[];
    }>(`/users/${dana.upn}/calendarView?startDateTime=2027-01-12T00:00:00Z&endDateTime=2027-01-13T00:00:00Z`);
    expect(events.value.map((e) => [e.subject, e.organizer.emailAddress.address.toLowerCase()])).toEqual([
      ["Delegated planning", dana.upn],
    ]);
  });
});

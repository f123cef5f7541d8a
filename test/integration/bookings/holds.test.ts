import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireHolds, holdClaims } from "../../../shared/composition/holds";
import { overrideServices } from "../../../shared/composition";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * Holds from the Outlook add-in over HTTP on the local host (application mode, Azurite, the simulator's
 * rooms): the slot is reserved through the booking store, a second person is refused, the item id is
 * recorded, a released or lapsed hold frees the room, and a sent meeting claims its hold. The clock is
 * injected: the real time plus an offset the test moves.
 */
let s: BookingStack;
let ann: Person;
let bob: Person;
let admin: Person;
let offsetMs = 0;

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.holder@contoso.example", "Ann Holder");
  bob = await s.person("bob.rival@contoso.example", "Bob Rival");
  admin = await s.person("ada.holdadmin@contoso.example", "Ada Admin", { admin: true });
  await overrideServices({ now: () => new Date(s.now().getTime() + offsetMs) });
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

interface HoldBody {
  id: string;
  roomId: string;
  start: string;
  end: string;
  expiresAt: string;
  itemId?: string;
}
interface Problem {
  status: number;
  type: string;
  rule?: string;
  limit?: unknown;
  roomId?: string;
  conflictStart?: string;
}

const hold = (who: Person, roomId: string, start: string, end: string, attendeeCount = 6) =>
  s.call(who, "POST", "/api/bookings/holds", { roomId, start, end, attendeeCount });

async function busy(roomId: string, day: string): Promise<{ start: string; end: string }[]> {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
  const r = await s.call(ann, "GET", `/api/rooms/${roomId}/schedule?from=${day}T00:00:00Z&to=${next}`);
  const body = (await r.json()) as { items: { start: string; end: string }[] };
  return body.items.map(({ start, end }) => ({ start, end }));
}

describe("holds on a room from the add-in", () => {
  it("reserves the slot, refuses a second person with 409, records the item id, and frees the room on release", async () => {
    const room = "room-hq-102@contoso.example";
    const made = await hold(ann, room, "2027-02-01T09:00:00Z", "2027-02-01T10:00:00Z");
    expect(made.status).toBe(201);
    const h = (await made.json()) as HoldBody;
    expect(made.headers.get("location")).toBe(`/api/bookings/holds/${h.id}`);
    expect({ ...h, id: "" }).toEqual({
      id: "",
      roomId: room,
      start: "2027-02-01T09:00:00.000Z",
      end: "2027-02-01T10:00:00.000Z",
      expiresAt: new Date(Date.parse(h.expiresAt)).toISOString(),
    });
    // HOLD_MINUTES defaults to 10.
    const lifetime = Date.parse(h.expiresAt) - (s.now().getTime() + offsetMs);
    expect(lifetime).toBeGreaterThan(9 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(10 * 60_000);
    expect(await busy(room, "2027-02-01")).toEqual([
      { start: "2027-02-01T09:00:00.000Z", end: "2027-02-01T10:00:00.000Z" },
    ]);

    const rival = await hold(bob, room, "2027-02-01T09:30:00Z", "2027-02-01T10:30:00Z");
    expect(rival.status).toBe(409);
    const problem = (await rival.json()) as Problem;
    expect([problem.type, problem.roomId, problem.conflictStart]).toEqual([
      "urn:ones:problem:conflict",
      room,
      "2027-02-01T09:00:00.000Z",
    ]);
    const rivalBooking = await s.call(bob, "POST", "/api/bookings", {
      roomIds: [room],
      start: "2027-02-01T09:00:00Z",
      end: "2027-02-01T09:30:00Z",
      subject: "Rival",
    });
    expect(rivalBooking.status).toBe(409);

    const ewsId = "AAMkAGI2TG93AAA=/+x";
    const patched = await s.call(ann, "PATCH", `/api/bookings/holds/${h.id}`, { itemId: ewsId });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as HoldBody).itemId).toBe(ewsId);
    expect((await s.call(bob, "PATCH", `/api/bookings/holds/${h.id}`, { itemId: "x" })).status).toBe(404);
    expect((await s.call(ann, "PATCH", `/api/bookings/holds/${h.id}`, { itemId: "a b" })).status).toBe(400);
    expect((await s.call(bob, "DELETE", `/api/bookings/holds/${h.id}`)).status).toBe(404);

    expect((await s.call(ann, "DELETE", `/api/bookings/holds/${h.id}`)).status).toBe(204);
    expect(await busy(room, "2027-02-01")).toEqual([]);
    expect((await s.call(ann, "DELETE", `/api/bookings/holds/${h.id}`)).status).toBe(404);
    const now = await hold(bob, room, "2027-02-01T09:30:00Z", "2027-02-01T10:30:00Z");
    expect(now.status).toBe(201);
    await s.call(bob, "DELETE", `/api/bookings/holds/${((await now.json()) as HoldBody).id}`);
  });

  it("refuses with 422 and the rule: the room's policy, and a room too small for the meeting", async () => {
    const room = "room-hq-103@contoso.example";
    const put = await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "Short meetings",
      maxDurationMinutes: 30,
    });
    expect(put.status).toBe(200);
    const long = await hold(ann, room, "2027-02-02T09:00:00Z", "2027-02-02T10:00:00Z");
    expect(long.status).toBe(422);
    const p = (await long.json()) as Problem;
    expect([p.type, p.rule, p.limit]).toEqual(["urn:ones:problem:policy-refused", "max-duration", 30]);

    const small = await hold(
      ann,
      "room-hq-101@contoso.example",
      "2027-02-02T09:00:00Z",
      "2027-02-02T10:00:00Z",
      6,
    );
    expect(small.status).toBe(422);
    const q = (await small.json()) as Problem;
    expect([q.rule, q.limit]).toEqual(["capacity", 4]);
    expect(await busy(room, "2027-02-02")).toEqual([]);
    expect(await busy("room-hq-101@contoso.example", "2027-02-02")).toEqual([]);
    const bad = await s.call(ann, "POST", "/api/bookings/holds", {
      roomId: room,
      start: "2027-02-02T10:00:00Z",
      end: "2027-02-02T09:00:00Z",
      attendeeCount: 2,
    });
    expect(bad.status).toBe(400);
  });

  it("a hold never used lapses: the sweep frees the slot, and a lapsed hold is gone when read", async () => {
    const room = "room-hq-104@contoso.example";
    const a = (await (
      await hold(ann, room, "2027-02-03T09:00:00Z", "2027-02-03T10:00:00Z")
    ).json()) as HoldBody;
    const b = (await (
      await hold(ann, room, "2027-02-03T11:00:00Z", "2027-02-03T12:00:00Z")
    ).json()) as HoldBody;
    expect(await busy(room, "2027-02-03")).toHaveLength(2);
    // Nothing lapses before its time.
    expect(await expireHolds()).toBe(0);
    offsetMs += 10 * 60_000 + 1_000;
    // Read lazily: the lapsed hold is a 404 and its slot is freed on the way.
    expect((await s.call(ann, "PATCH", `/api/bookings/holds/${a.id}`, { itemId: "AAMk1" })).status).toBe(404);
    expect(await busy(room, "2027-02-03")).toEqual([
      { start: "2027-02-03T11:00:00.000Z", end: "2027-02-03T12:00:00.000Z" },
    ]);
    // Swept by the timer's use case.
    expect(await expireHolds()).toBe(1);
    expect(await busy(room, "2027-02-03")).toEqual([]);
    expect((await s.call(ann, "DELETE", `/api/bookings/holds/${b.id}`)).status).toBe(404);
    const again = await hold(bob, room, "2027-02-03T09:00:00Z", "2027-02-03T12:00:00Z");
    expect(again.status).toBe(201);
    await s.call(bob, "DELETE", `/api/bookings/holds/${((await again.json()) as HoldBody).id}`);
  });

  it("a sent meeting claims its hold by organizer, room and time: the slot passes to the booking and never lapses", async () => {
    const room = "room-hq-105@contoso.example";
    const made = (await (
      await hold(ann, room, "2027-02-04T09:00:00Z", "2027-02-04T10:00:00Z")
    ).json()) as HoldBody;
    const claims = holdClaims();
    const request = {
      roomId: room.toUpperCase(),
      organizerEmail: "Ann.Holder@contoso.example",
      start: Date.parse("2027-02-04T09:00:00Z"),
      end: Date.parse("2027-02-04T10:00:00Z"),
      iCalUId: "040000008200E00074C5B7101A82E008-hold-test",
    };
    expect(await claims.claim({ ...request, organizerEmail: bob.upn, iCalUId: "other" })).toBeUndefined();
    expect(await claims.claim({ ...request, end: request.end + 60_000, iCalUId: "other" })).toBeUndefined();
    const claimed = await claims.claim(request);
    expect(claimed?.holdId).toBe(made.id);
    expect(claimed?.policyId).toBe("default");
    // The booking takes the hold's reservation id: the room's slot is already held under it.
    const [entry] = await busyEntries(room, "2027-02-04");
    expect(entry?.bookingId).toBe(claimed?.bookingId);
    // The same event seen again finds the same hold.
    expect(await claims.claim(request)).toEqual(claimed);
    offsetMs += 60 * 60_000;
    expect(await expireHolds()).toBe(0);
    expect(await busy(room, "2027-02-04")).toHaveLength(1);
  });
});

async function busyEntries(roomId: string, day: string): Promise<{ bookingId: string }[]> {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
  const r = await s.call(ann, "GET", `/api/rooms/${roomId}/schedule?from=${day}T00:00:00Z&to=${next}`);
  return ((await r.json()) as { items: { bookingId: string }[] }).items;
}

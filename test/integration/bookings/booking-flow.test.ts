import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { getServices } from "../../../shared/composition/services";
import { roomScheduleSnapshot } from "../../../shared/composition/bookings";
import { utcDayStart } from "../../support/clock";
import { eventually } from "../../support/eventually";
import { APP_OF_MODE } from "../sync/harness";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * Bookings end to end in the application mode: HTTP on the local host, the slot reserved in Azurite,
 * the calendar write through the local Service Bus and the real Graph client against the simulator,
 * whose room attendant answers the invitation.
 */
let s: BookingStack;
let ann: Person;
let bob: Person;
let admin: Person;
let approver: Person;

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.booker@contoso.example", "Ann Booker");
  bob = await s.person("bob.other@contoso.example", "Bob Other");
  admin = await s.person("ada.admin@contoso.example", "Ada Admin", { admin: true });
  approver = await s.person("apu.approver@contoso.example", "Apu Approver");
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

interface View {
  id: string;
  state: string;
  start: string;
  end: string;
  roomResponses: Record<string, string>;
  cancelledOccurrences: string[];
  movedOccurrences: { key: string; start: string; end: string }[];
}
interface Problem {
  status: number;
  type: string;
  rule?: string;
  limit?: unknown;
  conflictStart?: string;
  errors?: { path: string }[];
}

const book = (who: Person, body: Record<string, unknown>) => s.call(who, "POST", "/api/bookings", body);
const single = (room: string, start: string, end: string, extra: Record<string, unknown> = {}) => ({
  roomIds: [room],
  start,
  end,
  subject: "Planning",
  ...extra,
});

async function stateOf(who: Person, id: string): Promise<View> {
  return (await (await s.call(who, "GET", `/api/bookings/${id}`)).json()) as View;
}

async function settled(who: Person, id: string, state: string): Promise<View> {
  let last: View | undefined;
  await eventually(async () => (last = await stateOf(who, id)).state === state, {
    timeoutMs: 30_000,
    explain: () => `booking ${id} is ${last?.state}`,
  });
  return last as View;
}

async function eventsWithBooking(
  mailbox: string,
  id: string,
): Promise<
  { id: string; isCancelled: boolean; attendees: { type: string; status: { response: string } }[] }[]
> {
  const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${id}')`;
  const page = await s.graph<{
    value: {
      id: string;
      isCancelled: boolean;
      attendees: { type: string; status: { response: string } }[];
    }[];
  }>(`/users/${mailbox}/events?$filter=${encodeURIComponent(filter)}`);
  return page.value;
}

/** The person's bookings are what they were, and the room holds nothing in the window. */
async function expectNothingStored(
  before: { items: View[] },
  room: string,
  from: string,
  to: string,
): Promise<void> {
  const after = (await (await s.call(ann, "GET", "/api/bookings?mine=true")).json()) as { items: View[] };
  expect(after.items.map((b) => b.id)).toEqual(before.items.map((b) => b.id));
  const schedule = await s.call(ann, "GET", `/api/rooms/${room}/schedule?from=${from}&to=${to}`);
  expect(((await schedule.json()) as { items: unknown[] }).items).toEqual([]);
}

describe("a booking in the application mode", () => {
  it("is accepted as pending, written to the organizer's calendar with the room, and confirmed by the room", async () => {
    const room = "room-hq-104@contoso.example";
    const response = await book(
      ann,
      single(room, "2027-01-12T10:00:00Z", "2027-01-12T11:00:00Z", {
        attendees: [{ email: "bob.other@contoso.example" }],
      }),
    );
    expect(response.status).toBe(202);
    const created = (await response.json()) as View;
    expect(created.state).toBe("pending");
    expect(response.headers.get("location")).toBe(`/api/bookings/${created.id}`);

    const confirmed = await settled(ann, created.id, "confirmed");
    expect(confirmed.roomResponses).toEqual({ [room]: "accepted" });
    const events = await eventsWithBooking(ann.upn, created.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.attendees.find((a) => a.type === "resource")?.status.response).toBe("accepted");

    const listed = await s.call(
      ann,
      "GET",
      "/api/bookings?mine=true&from=2027-01-12T00:00:00Z&to=2027-01-13T00:00:00Z",
    );
    const mine = (await listed.json()) as { items: View[] };
    expect([listed.status, JSON.stringify(mine).slice(0, 300)]).toEqual([200, expect.any(String)]);
    expect(mine.items.map((b) => b.id)).toEqual([created.id]);
    const schedule = (await (
      await s.call(
        bob,
        "GET",
        `/api/rooms/${room}/schedule?from=2027-01-12T00:00:00Z&to=2027-01-13T00:00:00Z`,
      )
    ).json()) as { items: { bookingId: string; subject?: string; organizer?: string }[] };
    expect(schedule.items).toEqual([
      expect.objectContaining({
        bookingId: created.id,
        subject: "Planning",
        organizer: "Ann Booker",
        start: "2027-01-12T10:00:00.000Z",
      }),
    ]);
    // Other people's bookings are not theirs to read.
    expect((await s.call(bob, "GET", `/api/bookings/${created.id}`)).status).toBe(404);
  });

  it("of 8 concurrent requests for one slot exactly one is accepted; the others get 409 naming the time", async () => {
    const room = "room-hq-105@contoso.example";
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        book(ann, single(room, "2027-01-13T09:00:00Z", "2027-01-13T10:00:00Z")),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
    const problems = (await Promise.all(
      responses.filter((r) => r.status === 409).map((r) => r.json()),
    )) as Problem[];
    expect(new Set(problems.map((p) => p.conflictStart))).toEqual(new Set(["2027-01-13T09:00:00.000Z"]));
    const winner = (await (responses.find((r) => r.status === 202) as Response).json()) as View;
    await settled(ann, winner.id, "confirmed");
    expect(await eventsWithBooking(ann.upn, winner.id)).toHaveLength(1);
  });

  it("a room policy refuses with 422, the rule and its limit, and nothing is stored", async () => {
    const room = "room-hq-106@contoso.example";
    const put = await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "Short meetings",
      maxDurationMinutes: 30,
    });
    expect(put.status).toBe(200);
    const before = (await (await s.call(ann, "GET", "/api/bookings?mine=true")).json()) as { items: View[] };
    const refused = await book(ann, single(room, "2027-01-14T09:00:00Z", "2027-01-14T10:00:00Z"));
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await refused.json()) as Problem;
    expect([problem.type, problem.rule, problem.limit]).toEqual([
      "urn:ones:problem:policy-refused",
      "max-duration",
      30,
    ]);
    await expectNothingStored(before, room, "2027-01-14T00:00:00Z", "2027-01-15T00:00:00Z");
  });

  it("cancelling frees the slot at once and cancels the organizer's event", async () => {
    const room = "room-hq-104@contoso.example";
    const created = (await (
      await book(ann, single(room, "2027-01-15T10:00:00Z", "2027-01-15T11:00:00Z"))
    ).json()) as View;
    await settled(ann, created.id, "confirmed");
    const cancelled = await s.call(ann, "DELETE", `/api/bookings/${created.id}`);
    expect(cancelled.status).toBe(202);
    expect(((await cancelled.json()) as View).state).toBe("cancelled");
    const again = await book(bob, single(room, "2027-01-15T10:00:00Z", "2027-01-15T11:00:00Z"));
    expect(again.status).toBe(202);
    await eventually(async () => (await eventsWithBooking(ann.upn, created.id)).every((e) => e.isCancelled), {
      timeoutMs: 30_000,
      explain: () => "the organizer's event is still live",
    });
  });

  it("approval both ways: approved goes to the calendar, rejected frees the held slot", async () => {
    const room = "room-hq-201@contoso.example";
    const created = await s.call(admin, "POST", "/api/admin/policies", {
      rules: {
        name: "Board rooms",
        approval: { required: true, approvers: [{ email: approver.upn }], holdSlot: true },
      },
      roomIds: [room],
    });
    expect(created.status).toBe(201);
    const first = (await (
      await book(ann, single(room, "2027-01-18T09:00:00Z", "2027-01-18T10:00:00Z"))
    ).json()) as View;
    expect(first.state).toBe("awaiting-approval");
    // The slot is held while the request waits.
    expect((await book(bob, single(room, "2027-01-18T09:30:00Z", "2027-01-18T10:30:00Z"))).status).toBe(409);
    expect((await s.call(bob, "POST", `/api/bookings/${first.id}/approve`)).status).toBe(404);
    const approved = await s.call(approver, "POST", `/api/bookings/${first.id}/approve`);
    expect(approved.status).toBe(202);
    await settled(ann, first.id, "confirmed");

    const second = (await (
      await book(ann, single(room, "2027-01-19T09:00:00Z", "2027-01-19T10:00:00Z"))
    ).json()) as View;
    const rejected = await s.call(approver, "POST", `/api/bookings/${second.id}/reject`, {
      reason: "Board meeting that day",
    });
    expect(rejected.status).toBe(200);
    expect(((await rejected.json()) as View).state).toBe("rejected");
    expect((await book(bob, single(room, "2027-01-19T09:00:00Z", "2027-01-19T10:00:00Z"))).status).toBe(202);
    expect(await eventsWithBooking(ann.upn, second.id)).toEqual([]);
  });

  it("a consumer crash between the Graph write and the store update creates no second event", async () => {
    const room = "room-hq-202@contoso.example";
    const created = (await (
      await book(ann, single(room, "2027-01-20T09:00:00Z", "2027-01-20T10:00:00Z"))
    ).json()) as View;
    await settled(ann, created.id, "confirmed");
    // As if the worker died after Graph created the event and before the booking recorded it.
    const store = new TableBookingStore(getServices().tables);
    const stored = await store.get(created.id);
    if (stored === undefined) throw new Error("booking missing");
    const {
      eventId: _e,
      iCalUId: _i,
      etag: _t,
      ...link
    } = stored.booking.calendar ?? { mailbox: ann.upn, actor: "app" as const };
    await store.replace({ ...stored.booking, state: "pending", calendar: link }, stored.etag);
    await getServices().workQueue.enqueue("booking-commands", {
      id: `redelivered-${created.id}`,
      body: { command: "write", bookingId: created.id, version: stored.booking.version },
    });
    await settled(ann, created.id, "confirmed");
    expect(await eventsWithBooking(ann.upn, created.id)).toHaveLength(1);
  });

  it("a storm of 429s and 5xx on Graph ends in one event per booking", async () => {
    const rooms = ["room-hq-203@contoso.example", "room-hq-204@contoso.example"];
    s.auth.sim.control.faults.throttleStorm(6, 0);
    s.auth.sim.control.faults.configure({
      seed: 11,
      errorRate: 0.3,
      errorStatus: 503,
      pathPrefix: "/v1.0/users",
    });
    try {
      const created = await Promise.all(
        rooms.map(
          async (room) =>
            (await (
              await book(ann, single(room, "2027-01-21T09:00:00Z", "2027-01-21T10:00:00Z"))
            ).json()) as View,
        ),
      );
      for (const b of created) await settled(ann, b.id, "confirmed");
      for (const b of created) expect(await eventsWithBooking(ann.upn, b.id)).toHaveLength(1);
    } finally {
      s.auth.sim.control.faults.reset();
    }
  });

  it("an edit moves the booking in ONES at once and in the organizer's calendar after the room's answer", async () => {
    const room = "room-hq-203@contoso.example";
    const created = (await (
      await book(ann, single(room, "2027-01-28T09:00:00Z", "2027-01-28T10:00:00Z"))
    ).json()) as View;
    await settled(ann, created.id, "confirmed");
    const edited = await s.call(ann, "PATCH", `/api/bookings/${created.id}`, {
      start: "2027-01-28T13:00:00Z",
      end: "2027-01-28T14:30:00Z",
      subject: "Planning, moved",
    });
    expect(edited.status).toBe(202);
    expect(((await edited.json()) as View).state).toBe("pending");
    await settled(ann, created.id, "confirmed");
    const events = await s.graph<{ value: { subject: string; start: { dateTime: string } }[] }>(
      `/users/${ann.upn}/calendarView?startDateTime=2027-01-28T00:00:00Z&endDateTime=2027-01-29T00:00:00Z`,
    );
    expect(events.value.map((e) => [e.subject, e.start.dateTime.slice(0, 16)])).toEqual([
      ["Planning, moved", "2027-01-28T13:00"],
    ]);
    expect((await book(bob, single(room, "2027-01-28T09:00:00Z", "2027-01-28T10:00:00Z"))).status).toBe(202);
  });

  it("the display snapshot of a room: today and tomorrow, privacy applied, a newer version after each change", async () => {
    const room = "room-hq-205@contoso.example";
    await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, { name: "Private", privacy: "busy" });
    const before = await roomScheduleSnapshot(room);
    // In the room's evening (Amsterdam), after the demo tenant's own meetings there: on any day and at
    // any hour that is within the display's today and tomorrow in the room's zone.
    const tomorrow = new Date(utcDayStart(s.now(), 1)).toISOString().slice(0, 10);
    const created = (await (
      await book(ann, single(room, `${tomorrow}T18:00:00Z`, `${tomorrow}T19:00:00Z`))
    ).json()) as View;
    const after = await roomScheduleSnapshot(room);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.items).toEqual([
      {
        id: `${created.id}|${tomorrow}T18:00:00.000Z`,
        start: `${tomorrow}T18:00:00.000Z`,
        end: `${tomorrow}T19:00:00.000Z`,
        // Tomorrow's meeting: nothing to do on the display yet, and nobody has checked in.
        checkedIn: false,
        actions: [],
      },
    ]);
    await s.call(ann, "DELETE", `/api/bookings/${created.id}`);
    const cancelled = await roomScheduleSnapshot(room);
    expect([cancelled.version > after.version, cancelled.items]).toEqual([true, []]);
  });

  it("the resource-only modes refuse bookings from the staff app with not-available-in-mode", async () => {
    await s.auth.configure("application-resource-only", APP_OF_MODE["application-resource-only"]);
    try {
      const annThere = await s.as(ann, APP_OF_MODE["application-resource-only"].clientId);
      const response = await book(
        annThere,
        single("room-hq-204@contoso.example", "2027-01-22T09:00:00Z", "2027-01-22T10:00:00Z"),
      );
      expect(response.status).toBe(403);
      expect(((await response.json()) as Problem).type).toBe("urn:ones:problem:not-available-in-mode");
    } finally {
      await s.auth.configure("application", APP_OF_MODE.application);
    }
  });
});

describe("series and other domains", () => {
  it("a weekly series across the March DST change keeps its local time; one occurrence moved, one cancelled", async () => {
    const room = "room-hq-206@contoso.example";
    const zone = ((await (await s.call(ann, "GET", `/api/rooms/${room}`)).json()) as { timeZone: string })
      .timeZone;
    expect(["Europe/Berlin", "Europe/Amsterdam"]).toContain(zone);
    const response = await book(ann, {
      ...single(room, "2027-03-22T08:00:00Z", "2027-03-22T09:00:00Z"),
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"] },
        range: { type: "numbered", numberOfOccurrences: 3 },
      },
    });
    expect(response.status).toBe(202);
    const series = (await response.json()) as View;
    await settled(ann, series.id, "confirmed");
    const window = "from=2027-03-20T00:00:00Z&to=2027-04-10T00:00:00Z";
    const blocks = async () =>
      (
        (await (await s.call(ann, "GET", `/api/rooms/${room}/schedule?${window}`)).json()) as {
          items: { start: string }[];
        }
      ).items.map((i) => i.start);
    // 09:00 local on both sides of 28 March: 08:00Z in winter time, 07:00Z in summer time.
    expect(await blocks()).toEqual([
      "2027-03-22T08:00:00.000Z",
      "2027-03-29T07:00:00.000Z",
      "2027-04-05T07:00:00.000Z",
    ]);

    const moved = await s.call(ann, "PATCH", `/api/bookings/${series.id}`, {
      occurrence: "2027-03-29T07:00:00Z",
      start: "2027-03-30T07:00:00Z",
      end: "2027-03-30T08:00:00Z",
    });
    expect(moved.status).toBe(202);
    const cancelled = await s.call(
      ann,
      "DELETE",
      `/api/bookings/${series.id}?occurrence=2027-04-05T07:00:00Z`,
    );
    expect(cancelled.status).toBe(202);
    const v = (await cancelled.json()) as View;
    expect(v.cancelledOccurrences).toEqual(["2027-04-05T07:00:00.000Z"]);
    expect(v.movedOccurrences).toEqual([
      { key: "2027-03-29T07:00:00.000Z", start: "2027-03-30T07:00:00.000Z", end: "2027-03-30T08:00:00.000Z" },
    ]);
    expect(await blocks()).toEqual(["2027-03-22T08:00:00.000Z", "2027-03-30T07:00:00.000Z"]);
    // The organizer's calendar follows: the moved occurrence at its new time, the cancelled one gone.
    await eventually(
      async () => {
        const view = await s.graph<{
          value: { start: { dateTime: string }; isCancelled: boolean; type: string }[];
        }>(
          `/users/${ann.upn}/calendarView?startDateTime=2027-03-20T00:00:00Z&endDateTime=2027-04-10T00:00:00Z`,
        );
        const live = view.value.filter((e) => !e.isCancelled).map((e) => e.start.dateTime.slice(0, 16));
        return JSON.stringify(live) === JSON.stringify(["2027-03-22T08:00", "2027-03-30T07:00"]);
      },
      { timeoutMs: 30_000, explain: () => "the organizer's occurrences did not follow the edits" },
    );
    // The slot given up by the move is free for others.
    expect((await book(bob, single(room, "2027-03-29T07:00:00Z", "2027-03-29T08:00:00Z"))).status).toBe(202);
  });

  it("a room of another domain is booked through that domain's representative, the organizer invited", async () => {
    s.auth.sim.control.addUser({ userPrincipalName: "rep@fabrikam.example", displayName: "Fabrikam Rooms" });
    await getServices().crossDomain.save({
      representatives: [{ domain: "fabrikam.example", mailbox: "rep@fabrikam.example" }],
    });
    const room = "room-tower-104@fabrikam.example";
    const created = (await (
      await book(ann, single(room, "2027-01-26T16:00:00Z", "2027-01-26T17:00:00Z"))
    ).json()) as View;
    await settled(ann, created.id, "confirmed");
    const events = await eventsWithBooking("rep@fabrikam.example", created.id);
    expect(events).toHaveLength(1);
    const attendees = (
      events[0] as unknown as { attendees: { emailAddress: { address: string } }[] }
    ).attendees.map((a) => a.emailAddress.address.toLowerCase());
    expect(attendees).toEqual(expect.arrayContaining([ann.upn, room]));
    expect(await eventsWithBooking(ann.upn, created.id)).toEqual([]);
  });
});

describe("rooms and every policy rule through the API", () => {
  it("lists rooms by building, capacity and free time; a room shows its booking form", async () => {
    const all = (await (await s.call(ann, "GET", "/api/rooms?building=contoso-hq&limit=100")).json()) as {
      items: { id: string; building: { id: string }; capacity: number | null }[];
    };
    expect(all.items.length).toBeGreaterThan(3);
    expect(new Set(all.items.map((r) => r.building.id))).toEqual(new Set(["contoso-hq"]));
    const big = (await (
      await s.call(ann, "GET", "/api/rooms?building=contoso-hq&capacity=10&limit=100")
    ).json()) as {
      items: { capacity: number | null }[];
    };
    expect(big.items.every((r) => (r.capacity ?? 0) >= 10)).toBe(true);
    const free = (await (
      await s.call(
        ann,
        "GET",
        "/api/rooms?building=contoso-hq&from=2027-01-12T10:15:00Z&to=2027-01-12T10:45:00Z&limit=100",
      )
    ).json()) as { items: { id: string }[] };
    // room-hq-104 holds Ann's confirmed booking from the first test at that time.
    expect(free.items.map((r) => r.id)).not.toContain("room-hq-104@contoso.example");
    expect(free.items.length).toBe(all.items.length - 1);
    const room = (await (await s.call(ann, "GET", "/api/rooms/room-hq-106@contoso.example")).json()) as {
      policy: { maxDurationMinutes: number | null; privacy: string };
    };
    expect(room.policy).toMatchObject({ maxDurationMinutes: 30, privacy: "subject" });
  });

  it("each rule refuses with its own name", async () => {
    const room = "room-hq-106@contoso.example";
    const at = (day: string, from: string, to: string) => ({
      start: `${day}T${from}:00Z`,
      end: `${day}T${to}:00Z`,
    });
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ minDurationMinutes: 90 }, {}, "min-duration"],
      [{ maxDurationMinutes: 30 }, {}, "max-duration"],
      [{ bookingWindowDays: 7 }, {}, "booking-window"],
      [
        { allowRecurring: false },
        {
          recurrence: {
            pattern: { type: "daily", interval: 1 },
            range: { type: "numbered", numberOfOccurrences: 2 },
          },
        },
        "recurring",
      ],
      [
        { allowAllDay: false },
        { isAllDay: true, start: "2027-02-08T23:00:00Z", end: "2027-02-09T23:00:00Z" },
        "all-day",
      ],
      [{ allowOvernight: false }, at("2027-02-09", "21:00", "23:30"), "overnight"],
      [{ allowMultiRoom: false }, { roomIds: [room, "room-hq-204@contoso.example"] }, "multi-room"],
      [
        {
          businessHours: {
            days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
            start: "08:00",
            end: "18:00",
          },
        },
        at("2027-02-13", "10:00", "11:00"),
        "business-hours",
      ],
      [{ allowedGroups: ["board-members"] }, {}, "who-may-book"],
      [{}, { onBehalfOf: "bob.other@contoso.example" }, "book-for-others"],
      [{ termsOfUse: "Leave the room tidy." }, {}, "terms-of-use"],
      [
        { formFields: [{ id: "cost-centre", label: "Cost centre", type: "text", required: true }] },
        {},
        "form-field",
      ],
    ];
    for (const [rules, booking, rule] of cases) {
      expect(
        (await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, { name: rule, ...rules })).status,
      ).toBe(200);
      const response = await book(ann, {
        ...single(room, "2027-02-09T09:00:00Z", "2027-02-09T10:00:00Z"),
        ...booking,
      });
      const problem = (await response.json()) as Problem;
      expect([rule, response.status, problem.rule]).toEqual([rule, 422, rule]);
    }
    // Organizer overlap: Ann already holds room-hq-104 on 12 January, 10:00-11:00.
    await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "overlap",
      organizerOverlap: "any-room",
    });
    const overlap = await book(ann, single(room, "2027-01-12T10:30:00Z", "2027-01-12T11:30:00Z"));
    expect([overlap.status, ((await overlap.json()) as Problem).rule]).toEqual([422, "organizer-overlap"]);
    await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "Short meetings",
      maxDurationMinutes: 30,
    });
  });
});

describe("the room's own answer", () => {
  it("a room declining because of a meeting made directly in Exchange declines the booking and frees the slot", async () => {
    const room = "room-hq-202@contoso.example";
    // Bob books the room in Outlook: an invitation ONES has not seen yet; the room accepts it.
    const direct = await fetch(`${s.auth.sim.graphBaseUrl}/v1.0/users/${bob.upn}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${await s.graphToken()}`, "content-type": "application/json" },
      body: JSON.stringify({
        subject: "Outlook meeting",
        start: { dateTime: "2027-01-27T09:00:00", timeZone: "UTC" },
        end: { dateTime: "2027-01-27T10:00:00", timeZone: "UTC" },
        attendees: [{ type: "resource", emailAddress: { address: room } }],
      }),
    });
    expect(direct.status).toBe(201);
    const response = await book(ann, single(room, "2027-01-27T09:30:00Z", "2027-01-27T10:30:00Z"));
    expect(response.status).toBe(202);
    const created = (await response.json()) as View & { reason?: string };
    const declined = (await settled(ann, created.id, "declined")) as View & { reason?: string };
    expect(declined.roomResponses).toEqual({ [room]: "declined" });
    expect(declined.reason).toBe("The room declined the invitation.");
    // Kept, never deleted silently; and the slot is free in ONES again.
    const events = await eventsWithBooking(ann.upn, created.id);
    expect(events.map((e) => e.attendees.find((a) => a.type === "resource")?.status.response)).toEqual([
      "declined",
    ]);
    const schedule = await s.call(
      ann,
      "GET",
      `/api/rooms/${room}/schedule?from=2027-01-27T00:00:00Z&to=2027-01-28T00:00:00Z`,
    );
    expect(((await schedule.json()) as { items: unknown[] }).items).toEqual([]);
  });
});

describe("hostile input gets 4xx problems, never 5xx, and stores nothing", () => {
  it("on every booking endpoint", async () => {
    const room = "room-hq-205@contoso.example";
    const before = (await (await s.call(ann, "GET", "/api/bookings?mine=true")).json()) as { items: View[] };
    const ok = single(room, "2027-02-01T09:00:00Z", "2027-02-01T10:00:00Z");
    const cases: [string, string, unknown, number][] = [
      ["POST", "/api/bookings", { ...ok, start: 12 }, 400],
      ["POST", "/api/bookings", { ...ok, end: "2027-02-01T08:00:00Z" }, 400],
      ["POST", "/api/bookings", { ...ok, roomIds: ["nowhere@contoso.example"] }, 404],
      ["POST", "/api/bookings", { ...ok, subject: "x".repeat(300_000) }, 413],
      ["POST", "/api/bookings", "{not json", 400],
      [
        "POST",
        "/api/bookings",
        {
          ...ok,
          recurrence: {
            pattern: { type: "daily", interval: 1 },
            range: { type: "endDate", endDate: "2031-01-01" },
          },
        },
        400,
      ],
      [
        "POST",
        "/api/bookings",
        {
          ...ok,
          recurrence: {
            pattern: { type: "weekly", interval: 1 },
            range: { type: "numbered", numberOfOccurrences: 5 },
          },
        },
        400,
      ],
      ["POST", "/api/bookings", { ...ok, attendees: [{ email: "not-an-address" }] }, 400],
      ["POST", "/api/bookings", { ...ok, isAllDay: true }, 400],
      ["POST", "/api/bookings", { ...ok, start: "2020-01-01T09:00:00Z", end: "2020-01-01T10:00:00Z" }, 422],
      ["GET", "/api/bookings/not-a-uuid", undefined, 400],
      ["GET", "/api/bookings/7d0e4b0c-0000-4000-8000-000000000000", undefined, 404],
      ["PATCH", "/api/bookings/7d0e4b0c-0000-4000-8000-000000000000", { subject: "x" }, 404],
      ["PATCH", "/api/bookings/7d0e4b0c-0000-4000-8000-000000000000", { start: "2027-01-01T00:00:00Z" }, 400],
      ["DELETE", "/api/bookings/7d0e4b0c-0000-4000-8000-000000000000?occurrence=yesterday", undefined, 400],
      ["POST", "/api/bookings/7d0e4b0c-0000-4000-8000-000000000000/reject", { reason: "" }, 400],
      ["GET", "/api/bookings?mine=false", undefined, 400],
      ["GET", "/api/bookings?limit=100000", undefined, 400],
      ["GET", "/api/rooms?capacity=lots", undefined, 400],
      ["GET", "/api/rooms/nowhere@contoso.example", undefined, 404],
      [
        "GET",
        `/api/rooms/${room}/schedule?from=2027-01-01T00:00:00Z&to=2028-01-01T00:00:00Z`,
        undefined,
        400,
      ],
      ["GET", `/api/rooms/${room}/schedule`, undefined, 400],
      ["PUT", `/api/admin/rooms/${room}/policy`, { name: "x", maxDurationMinutes: -5 }, 400],
      ["PUT", "/api/admin/rooms/nowhere@contoso.example/policy", { name: "x" }, 404],
      ["POST", "/api/admin/policies", { rules: { name: "x" }, roomIds: ["nowhere@contoso.example"] }, 404],
      ["PUT", "/api/admin/policies/7d0e4b0c-0000-4000-8000-000000000000", { rules: { name: "x" } }, 404],
    ];
    for (const [method, path, body, status] of cases) {
      const who = path.startsWith("/api/admin") ? admin : ann;
      const response = await s.call(who, method, path, body);
      expect([method, path, response.status]).toEqual([method, path, status]);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    // Not an admin.
    expect((await s.call(ann, "PUT", `/api/admin/rooms/${room}/policy`, { name: "x" })).status).toBe(403);
    await expectNothingStored(before, room, "2027-02-01T00:00:00Z", "2027-02-02T00:00:00Z");
  });
});

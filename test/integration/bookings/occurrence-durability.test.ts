import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { TablePendingBookings } from "../../../shared/adapters/tables/table-pending-bookings";
import { processBookingCommand } from "../../../shared/app/bookings/booking-commands";
import type { BookingDependencies } from "../../../shared/app/bookings/dependencies";
import { cancelBooking, editBooking } from "../../../shared/app/bookings/manage-booking";
import { recoverPendingBookings, STUCK_AFTER_MS } from "../../../shared/app/bookings/recover-pending";
import { bookingDependencies } from "../../../shared/composition/bookings";
import { getServices } from "../../../shared/composition/services";
import type { Principal } from "../../../shared/domain/auth/principal";
import type { Booking } from "../../../shared/domain/bookings/booking";
import { eventually } from "../../support/eventually";
import { recovered } from "../../support/recovered";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * A change to one occurrence of a series that ONES accepted reaches Exchange whatever happens around
 * it: saved with its `occurrencesOwed` entry, it is completed by the recovery sweep when the worker
 * died before queueing its command; a repeated command changes nothing twice; and a change of one
 * occurrence racing an edit of the whole series ends with both in the calendar.
 */
let s: BookingStack;
let ann: Person;

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.occurrence@contoso.example", "Ann Occurrence");
}, 120_000);
afterAll(async () => {
  s?.auth.sim.control.faults.reset();
  await s?.stop();
});

interface View {
  id: string;
  state: string;
  subject: string;
  cancelledOccurrences: string[];
}

const store = () => new TableBookingStore(getServices().tables);
const booking = async (id: string): Promise<Booking> => {
  const b = (await store().get(id))?.booking;
  if (b === undefined) throw new Error(`booking ${id} missing`);
  return b;
};

const principalOf = (p: Person): Principal => ({
  userId: p.id,
  tenantId: s.auth.sim.tenantId,
  objectId: p.id,
  email: p.upn,
  name: p.name,
  roles: [],
  groups: [],
  isAdmin: false,
});

/** The booking use cases as a worker runs them, whose process dies when it queues the command. */
const dyingAtSend = (): BookingDependencies => ({
  ...bookingDependencies(),
  workQueue: { enqueue: () => Promise.reject(new Error("the worker died before the command was sent")) },
});

/**
 * The booking use cases whose first save of a booking waits until `go()`: `atSave` resolves when it
 * got there (the request has read the booking and decided its change), so another change can be
 * saved in between.
 */
function pausedAtSave(): { deps: BookingDependencies; atSave: Promise<void>; go: () => void } {
  const real = bookingDependencies();
  let arrived = (): void => {};
  const atSave = new Promise<void>((resolve) => (arrived = resolve));
  let go = (): void => {};
  const gate = new Promise<void>((resolve) => (go = resolve));
  const store = new Proxy(real.store, {
    get(target, prop) {
      if (prop === "replace")
        return async (b: Booking, etag: string) => {
          arrived();
          await gate;
          return target.replace(b, etag);
        };
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { deps: { ...real, store }, atSave, go };
}

/** The sweep, run once the quarter of an hour after which an owed change counts as stuck has passed. */
const sweepLater = () =>
  recoverPendingBookings({
    ...bookingDependencies(),
    pending: new TablePendingBookings(getServices().tables),
    now: () => new Date(s.now().getTime() + STUCK_AFTER_MS + 60_000),
  });

const settledBus = () => {
  const c = s.bus.stats()["booking-commands"];
  return c !== undefined && c.active + c.locked + c.scheduled === 0;
};
const waitForBus = () =>
  eventually(settledBus, {
    timeoutMs: 60_000,
    explain: () => JSON.stringify(s.bus.stats()["booking-commands"]),
  });

/** A weekly series of three one-hour Tuesday meetings from `first`, confirmed. */
async function series(room: string, first: string, subject: string): Promise<View> {
  const end = new Date(Date.parse(first) + 3_600_000).toISOString();
  const answer = await s.call(ann, "POST", "/api/bookings", {
    roomIds: [room],
    start: first,
    end,
    subject,
    recurrence: {
      pattern: { type: "weekly", interval: 1, daysOfWeek: ["tuesday"] },
      range: { type: "numbered", numberOfOccurrences: 3 },
    },
  });
  expect(answer.status).toBe(202);
  const made = (await answer.json()) as View;
  await eventually(async () => (await booking(made.id)).state === "confirmed", {
    timeoutMs: 30_000,
    explain: () => `series ${made.id} not confirmed`,
  });
  return made;
}

const week = 7 * 86_400_000;
const plusWeeks = (iso: string, n: number): string => new Date(Date.parse(iso) + n * week).toISOString();

/** Starts of the live (not cancelled) instances in a mailbox's calendar view, sorted (ISO, ms). */
async function liveStarts(mailbox: string, from: string, to: string): Promise<string[]> {
  const view = await s.graph<{ value: { start: { dateTime: string }; isCancelled: boolean }[] }>(
    `/users/${mailbox}/calendarView?startDateTime=${from}&endDateTime=${to}&$top=100`,
  );
  return view.value
    .filter((e) => !e.isCancelled)
    .map((e) => new Date(`${e.start.dateTime.replace(/Z$/, "")}Z`).toISOString())
    .sort();
}

/** Starts of the live occurrences of booking `id`'s series in the organizer's calendar, sorted. */
async function seriesStarts(id: string, from: string, to: string): Promise<string[]> {
  const seriesId = (await booking(id)).calendar?.eventId;
  if (seriesId === undefined) throw new Error(`booking ${id} has no event`);
  const view = await s.graph<{ value: { start: { dateTime: string }; isCancelled: boolean }[] }>(
    `/users/${ann.upn}/events/${encodeURIComponent(seriesId)}/instances?startDateTime=${from}&endDateTime=${to}`,
  );
  return view.value
    .filter((e) => !e.isCancelled)
    .map((e) => new Date(`${e.start.dateTime.replace(/Z$/, "")}Z`).toISOString())
    .sort();
}

/** The room's reserved slot starts in ONES between `from` and `to`. */
async function reservedStarts(room: string, from: string, to: string): Promise<string[]> {
  const slots = await store().roomSlots(room, Date.parse(from), Date.parse(to));
  return slots.map((x) => new Date(x.start).toISOString());
}

/** Graph requests of the organizer's mailbox matching `path` made after `since`. */
const graphCalls = (method: string, path: RegExp, since: number): number =>
  s.auth.sim.control.log.entries({ kind: "graph", method, path, sinceSeq: since }).length;

describe("a change to one occurrence is never lost", () => {
  it("an occurrence cancel saved by a worker that died before queueing its command is completed by the sweep", async () => {
    const room = "room-hq-201@contoso.example";
    const first = "2027-02-02T09:00:00.000Z";
    const [from, to] = ["2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"];
    const made = await series(room, first, "Lost occurrence cancel");
    const all = [first, plusWeeks(first, 1), plusWeeks(first, 2)];
    await eventually(async () => (await liveStarts(room, from, to)).join() === all.join(), {
      timeoutMs: 30_000,
      explain: () => `the room ${room} does not show the series`,
    });

    const target = plusWeeks(first, 1);
    await expect(cancelBooking(dyingAtSend(), principalOf(ann), made.id, target)).rejects.toThrow(
      "the worker died",
    );
    // The cancel is saved with what Exchange is owed for it, and its slot is free in ONES.
    const saved = await booking(made.id);
    expect(saved.exceptions.cancelled).toEqual([target]);
    expect(saved.occurrencesOwed).toEqual([{ key: target, version: saved.version }]);
    expect(await reservedStarts(room, from, to)).toEqual([first, plusWeeks(first, 2)]);
    // Nothing was queued: the room still shows the occurrence.
    await waitForBus();
    expect(await liveStarts(room, from, to)).toEqual(all);

    expect(await sweepLater()).toEqual(recovered({ occurrences: 1 }));
    await eventually(async () => (await booking(made.id)).occurrencesOwed === undefined, {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} still owes its occurrence cancel`,
    });
    expect(await seriesStarts(made.id, from, to)).toEqual([first, plusWeeks(first, 2)]);
    await eventually(
      async () => (await liveStarts(room, from, to)).join() === [first, plusWeeks(first, 2)].join(),
      {
        timeoutMs: 30_000,
        explain: () => `the room ${room} still shows the cancelled occurrence`,
      },
    );
    const final = await booking(made.id);
    expect(final.state).toBe("confirmed");
    expect(final.exceptions.cancelled).toEqual([target]);
    // Nothing is owed any more: the next sweep queues nothing.
    expect(await sweepLater()).toEqual(recovered());
  });

  it("a worker dying after saving the cancel but before freeing the slot leaves the slot to the sweep, never the room free while Exchange holds it", async () => {
    const room = "room-hq-202@contoso.example";
    const first = "2027-02-02T09:00:00.000Z";
    const [from, to] = ["2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"];
    const made = await series(room, first, "Slot kept until the cancel is done");
    const target = plusWeeks(first, 2);
    // What DELETE ?occurrence= saves first; the worker died right after, before releasing the slot.
    const stored = await store().get(made.id);
    if (stored === undefined) throw new Error("booking missing");
    const b = stored.booking;
    const remaining = (b.reserved[room] ?? []).filter((x) => x.key !== target);
    await store().replace(
      {
        ...b,
        exceptions: { ...b.exceptions, cancelled: [target] },
        occurrencesOwed: [{ key: target, version: b.version + 1 }],
        reserved: { [room]: remaining },
        version: b.version + 1,
        updatedAt: s.now().toISOString(),
      },
      stored.etag,
    );
    expect(await reservedStarts(room, from, to)).toEqual([first, plusWeeks(first, 1), target]);

    expect((await sweepLater()).occurrences).toBe(1);
    await eventually(async () => (await booking(made.id)).occurrencesOwed === undefined, {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} still owes its occurrence cancel`,
    });
    expect(await reservedStarts(room, from, to)).toEqual([first, plusWeeks(first, 1)]);
    expect(await seriesStarts(made.id, from, to)).toEqual([first, plusWeeks(first, 1)]);
  });

  it("an occurrence move saved by a worker that died before queueing its command is completed by the sweep", async () => {
    const room = "room-hq-203@contoso.example";
    const first = "2027-02-02T09:00:00.000Z";
    const [from, to] = ["2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"];
    const made = await series(room, first, "Lost occurrence move");
    const target = plusWeeks(first, 1);
    // Thursday of that week, 14:00.
    const moved = { start: "2027-02-11T14:00:00.000Z", end: "2027-02-11T15:00:00.000Z" };
    await expect(
      editBooking(dyingAtSend(), principalOf(ann), made.id, {
        occurrence: target,
        start: Date.parse(moved.start),
        end: Date.parse(moved.end),
      }),
    ).rejects.toThrow("the worker died");
    const saved = await booking(made.id);
    expect(saved.exceptions.moved).toEqual([
      { key: target, start: Date.parse(moved.start), end: Date.parse(moved.end) },
    ]);
    expect(saved.occurrencesOwed).toEqual([{ key: target, version: saved.version }]);
    expect(await reservedStarts(room, from, to)).toEqual([first, moved.start, plusWeeks(first, 2)]);
    await waitForBus();
    expect(await seriesStarts(made.id, from, to)).toEqual([first, target, plusWeeks(first, 2)]);

    const swept = await sweepLater();
    // The move left the series pending (the room answers again): its last look is queued too.
    expect(swept).toEqual(recovered({ relooked: 1, occurrences: 1 }));
    await eventually(async () => (await booking(made.id)).occurrencesOwed === undefined, {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} still owes its occurrence move`,
    });
    expect(await seriesStarts(made.id, from, to)).toEqual([first, moved.start, plusWeeks(first, 2)]);
    await eventually(
      async () =>
        (await liveStarts(room, from, to)).join() === [first, moved.start, plusWeeks(first, 2)].join(),
      { timeoutMs: 30_000, explain: () => `the room ${room} does not show the move` },
    );
  });

  it("a repeated occurrence command changes nothing twice", async () => {
    const room = "room-hq-204@contoso.example";
    const first = "2027-02-02T09:00:00.000Z";
    const [from, to] = ["2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"];
    const made = await series(room, first, "Cancelled once");
    const target = plusWeeks(first, 1);
    const since = s.auth.sim.control.log.lastSeq;
    const answer = await s.call(ann, "DELETE", `/api/bookings/${made.id}?occurrence=${target}`);
    expect(answer.status).toBe(202);
    await eventually(async () => (await booking(made.id)).occurrencesOwed === undefined, {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} still owes its occurrence cancel`,
    });
    await waitForBus();
    const cancels = /\/users\/[^/]+\/events\/[^/]+\/cancel$/;
    expect(graphCalls("POST", cancels, since)).toBe(1);
    const before = await booking(made.id);

    // The same message delivered again (at-least-once delivery), and the sweep's copy of it.
    const command = {
      command: "cancel-occurrence" as const,
      bookingId: made.id,
      version: before.version,
      occurrence: target,
    };
    const mark = s.auth.sim.control.log.lastSeq;
    expect(await processBookingCommand(bookingDependencies(), command)).toBe("skipped");
    await getServices().workQueue.enqueue("booking-commands", { id: "repeat-1", body: command });
    await waitForBus();
    expect(graphCalls("POST", /./, mark)).toBe(0);
    expect(graphCalls("PATCH", /./, mark)).toBe(0);
    expect(await seriesStarts(made.id, from, to)).toEqual([first, plusWeeks(first, 2)]);
    const after = await booking(made.id);
    expect(after.version).toBe(before.version);
    expect(after.updatedAt).toBe(before.updatedAt);

    // Two deliveries of a command still owed, at once: one cancel in the calendar, one slot freed.
    const third = plusWeeks(first, 2);
    await expect(cancelBooking(dyingAtSend(), principalOf(ann), made.id, third)).rejects.toThrow(
      "the worker died",
    );
    const owed = await booking(made.id);
    const again = { ...command, version: owed.version, occurrence: third };
    const outcomes = await Promise.all([
      processBookingCommand(bookingDependencies(), again),
      processBookingCommand(bookingDependencies(), again),
    ]);
    expect(outcomes.filter((o) => o === "done").length).toBeGreaterThanOrEqual(1);
    expect((await booking(made.id)).occurrencesOwed).toBeUndefined();
    expect(await seriesStarts(made.id, from, to)).toEqual([first]);
    await eventually(async () => (await liveStarts(room, from, to)).join() === first, {
      timeoutMs: 30_000,
      explain: () => `the room ${room} still shows cancelled occurrences`,
    });
    expect(await reservedStarts(room, from, to)).toEqual([first]);
  });
});

describe("an occurrence change racing an edit of the whole series", () => {
  const held = (): (() => void) =>
    s.auth.sim.control.faults.hold(`/users/${encodeURIComponent(ann.upn)}/events`);
  const inFlight = (): number => s.bus.stats()["booking-commands"]?.locked ?? 0;

  it("an occurrence cancel saved while a series edit is about to save is kept, and both reach the calendar", async () => {
    const room = "room-hq-205@contoso.example";
    const first = "2027-02-02T09:00:00.000Z";
    const [from, to] = ["2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"];
    const made = await series(room, first, "Racing subject");
    const target = plusWeeks(first, 1);
    const release = held();
    let released = false;
    try {
      // The series edit stops at its save, having read the booking before the cancel.
      const { deps, atSave, go } = pausedAtSave();
      const editing = editBooking(deps, principalOf(ann), made.id, { subject: "Raced subject" });
      await atSave;
      const cancelled = await s.call(ann, "DELETE", `/api/bookings/${made.id}?occurrence=${target}`);
      expect(cancelled.status).toBe(202);
      go();
      expect((await editing).subject).toBe("Raced subject");
      // The edit saved second and kept the cancel saved meanwhile.
      const both = await booking(made.id);
      expect(both.subject).toBe("Raced subject");
      expect(both.exceptions.cancelled).toEqual([target]);
      expect(both.calendarOwed).toBe("write");
      expect(both.occurrencesOwed).toEqual([{ key: target, version: both.version }]);
      expect(await reservedStarts(room, from, to)).toEqual([first, plusWeeks(first, 2)]);
      await eventually(() => inFlight() >= 1, {
        timeoutMs: 30_000,
        explain: () => `booking-commands in flight: ${inFlight()}`,
      });
      release();
      released = true;
      await eventually(
        async () => {
          const b = await booking(made.id);
          return b.occurrencesOwed === undefined && b.calendarOwed === undefined && settledBus();
        },
        { timeoutMs: 60_000, explain: () => `booking ${made.id} still owes the calendar` },
      );
    } finally {
      if (!released) release();
    }
    await expectSeries(made.id, room, from, to, "Raced subject", [first, plusWeeks(first, 2)]);
  });

  it("an occurrence cancel under way when the series is edited is written again after the series", async () => {
    const room = "room-hq-206@contoso.example";
    const first = "2027-02-02T09:00:00.000Z";
    const [from, to] = ["2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"];
    const made = await series(room, first, "Cancel first");
    const target = plusWeeks(first, 2);
    const release = held();
    let released = false;
    try {
      const cancelled = await s.call(ann, "DELETE", `/api/bookings/${made.id}?occurrence=${target}`);
      expect(cancelled.status).toBe(202);
      // The occurrence's command waits at Graph, having read the booking before the edit.
      await eventually(() => inFlight() === 1, {
        timeoutMs: 30_000,
        explain: () => `booking-commands in flight: ${inFlight()}`,
      });
      const edited = await s.call(ann, "PATCH", `/api/bookings/${made.id}`, { subject: "Edited after" });
      expect(edited.status).toBe(202);
      const owed = await booking(made.id);
      expect(owed.calendarOwed).toBe("write");
      // The series' write may drop the occurrence's cancel in Exchange: it is owed again, after it.
      expect(owed.occurrencesOwed).toEqual([{ key: target, version: owed.version }]);
      await eventually(() => inFlight() === 2, {
        timeoutMs: 30_000,
        explain: () => `booking-commands in flight: ${inFlight()}`,
      });
      release();
      released = true;
      await eventually(
        async () => {
          const b = await booking(made.id);
          return b.occurrencesOwed === undefined && b.calendarOwed === undefined && settledBus();
        },
        { timeoutMs: 60_000, explain: () => `booking ${made.id} still owes the calendar` },
      );
    } finally {
      if (!released) release();
    }
    await expectSeries(made.id, room, from, to, "Edited after", [first, plusWeeks(first, 1)]);
  });

  it("an edit of the whole series leaves a moved occurrence where it was moved", async () => {
    const room = "room-hq-203@contoso.example";
    const first = "2027-03-02T09:00:00.000Z";
    const [from, to] = ["2027-03-01T00:00:00Z", "2027-03-25T00:00:00Z"];
    const made = await series(room, first, "Moved, then renamed");
    const target = plusWeeks(first, 1);
    const moved = "2027-03-11T14:00:00.000Z";
    const answer = await s.call(ann, "PATCH", `/api/bookings/${made.id}`, {
      occurrence: target,
      start: moved,
      end: "2027-03-11T15:00:00.000Z",
    });
    expect(answer.status).toBe(202);
    await eventually(async () => (await booking(made.id)).occurrencesOwed === undefined && settledBus(), {
      timeoutMs: 30_000,
      explain: () => `booking ${made.id} still owes its move`,
    });
    expect(await seriesStarts(made.id, from, to)).toEqual([first, moved, plusWeeks(first, 2)]);
    // Writing the series again (its time is part of the write) makes Exchange drop its exceptions:
    // the move is owed again and written after the series.
    const renamed = await s.call(ann, "PATCH", `/api/bookings/${made.id}`, { subject: "Renamed" });
    expect(renamed.status).toBe(202);
    await eventually(
      async () => {
        const b = await booking(made.id);
        return b.occurrencesOwed === undefined && b.calendarOwed === undefined && settledBus();
      },
      { timeoutMs: 60_000, explain: () => `booking ${made.id} still owes the calendar` },
    );
    await expectSeries(made.id, room, from, to, "Renamed", [first, moved, plusWeeks(first, 2)]);
  });

  /** The booking, the organizer's series and the room agree: this subject, these occurrences live. */
  async function expectSeries(
    id: string,
    room: string,
    from: string,
    to: string,
    subject: string,
    live: string[],
  ): Promise<void> {
    const b = await booking(id);
    expect(b.subject).toBe(subject);
    expect(await reservedStarts(room, from, to)).toEqual(live);
    const events = await s.graph<{ value: { id: string; subject: string; type: string }[] }>(
      `/users/${ann.upn}/events?$top=100`,
    );
    const master = events.value.find((e) => e.id === b.calendar?.eventId);
    expect(master?.subject).toBe(subject);
    expect(await seriesStarts(id, from, to)).toEqual(live);
    await eventually(async () => (await liveStarts(room, from, to)).join() === live.join(), {
      timeoutMs: 30_000,
      explain: () => `the room ${room} does not show ${live.join(", ")}`,
    });
  }
});

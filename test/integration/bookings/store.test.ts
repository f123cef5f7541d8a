import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { packJson, unpackJson } from "../../../shared/adapters/tables/packed-json";
import { POLICIES_TABLE, TablePolicyStore } from "../../../shared/adapters/tables/table-policy-store";
import { TableService } from "../../../shared/adapters/tables/table-service";
import { policyRulesSchema } from "../../../shared/domain/bookings/policy";
import type { Slot } from "../../../shared/domain/bookings/slots";
import { AppError } from "../../../shared/domain/errors";
import { testTables } from "../sync/harness";

const ms = (iso: string): number => Date.parse(iso);
const slot = (start: string, end: string): Slot => ({
  key: new Date(ms(start)).toISOString(),
  start: ms(start),
  end: ms(end),
});
const ROOM_A = "room-a@contoso.example";
const ROOM_B = "room-b@contoso.example";

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("TableBookingStore against Azurite", () => {
  it("of 16 concurrent requests for one slot exactly one wins; the others get 409 naming the time", async () => {
    const store = new TableBookingStore(testTables(inject("tablesConnectionString")));
    const wanted = slot("2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z");
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, () => store.reserve(randomUUID(), [{ roomId: ROOM_A, slots: [wanted] }])),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as AppError] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(15);
    for (const e of lost) {
      expect(e.code).toBe("conflict");
      expect(e.extra.extensions).toEqual({
        roomId: ROOM_A,
        conflictStart: "2026-12-02T09:00:00.000Z",
        conflictEnd: "2026-12-02T10:00:00.000Z",
      });
    }
    const held = await store.roomSlots(ROOM_A, ms("2026-12-02T00:00:00Z"), ms("2026-12-03T00:00:00Z"));
    expect(held).toHaveLength(1);
    expect(await store.roomVersion(ROOM_A)).toBe(1);
  });

  it("a new booking's document is stored only once its slot is found free, and never without the slot's write", async () => {
    const store = new TableBookingStore(testTables(inject("tablesConnectionString")));
    const wanted = slot("2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z");
    const stored: string[] = [];
    const first = randomUUID();
    await store.reserve(first, [{ roomId: ROOM_A, slots: [wanted] }], {
      fresh: true,
      beforeWrite: async () => void stored.push(first),
    });
    // Refused on the slot's read: the document step never runs.
    const second = randomUUID();
    const refused = await failure(
      store.reserve(second, [{ roomId: ROOM_A, slots: [wanted] }], {
        fresh: true,
        beforeWrite: async () => void stored.push(second),
      }),
    );
    expect(refused.code).toBe("conflict");
    // The document step fails: nothing is reserved.
    const third = randomUUID();
    const later = slot("2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z");
    await expect(
      store.reserve(third, [{ roomId: ROOM_A, slots: [later] }], {
        fresh: true,
        beforeWrite: () => Promise.reject(new Error("document not stored")),
      }),
    ).rejects.toThrow("document not stored");
    expect(stored).toEqual([first]);
    const held = await store.roomSlots(ROOM_A, ms("2026-12-04T00:00:00Z"), ms("2026-12-05T00:00:00Z"));
    expect(held.map((h) => h.bookingId)).toEqual([first]);
    expect(await store.roomVersion(ROOM_A)).toBe(1);
  });

  it("a conflict seen in remembered rows is confirmed by reading the day row again, and only that row", async () => {
    const tables = testTables(inject("tablesConnectionString"));
    // Two workers: each store remembers the rows it last read or wrote.
    const one = new TableBookingStore(tables);
    const two = new TableBookingStore(tables);
    const wanted = slot("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z");
    const first = randomUUID();
    await one.reserve(first, [{ roomId: ROOM_A, slots: [wanted] }], { fresh: true });
    const reads = await recordRoomReads(tables);
    // Still held: refused after one read of the day row, naming the time.
    const refused = await failure(
      one.reserve(randomUUID(), [{ roomId: ROOM_A, slots: [wanted] }], { fresh: true }),
    );
    expect(refused.code).toBe("conflict");
    expect(refused.extra.extensions?.conflictStart).toBe("2026-12-07T09:00:00.000Z");
    expect(reads).toEqual(["day-2026-12-07"]);
    // Released by the other worker: the first store's memory is stale, and the slot is taken.
    await two.reserve(first, [{ roomId: ROOM_A, slots: [] }], { force: true });
    reads.length = 0;
    const second = randomUUID();
    await one.reserve(second, [{ roomId: ROOM_A, slots: [wanted] }], { fresh: true });
    // The day row read again found it free; the remembered meta row was stale, so the write was
    // refused and everything read again.
    expect(reads).toEqual(["day-2026-12-07", "meta", "booking-" + second, "day-2026-12-07"]);
    const held = await two.roomSlots(ROOM_A, ms("2026-12-07T00:00:00Z"), ms("2026-12-08T00:00:00Z"));
    expect(held.map((h) => h.bookingId)).toEqual([second]);
    expect(await two.roomVersion(ROOM_A)).toBe(3);
  });

  it("a new day in a room the store knows costs one read, the day row's; a stale meta row a full read", async () => {
    const tables = testTables(inject("tablesConnectionString"));
    const one = new TableBookingStore(tables);
    const two = new TableBookingStore(tables);
    await one.reserve(
      randomUUID(),
      [{ roomId: ROOM_A, slots: [slot("2026-12-08T09:00:00Z", "2026-12-08T10:00:00Z")] }],
      {
        fresh: true,
      },
    );
    const reads = await recordRoomReads(tables);
    await one.reserve(
      randomUUID(),
      [{ roomId: ROOM_A, slots: [slot("2026-12-09T09:00:00Z", "2026-12-09T10:00:00Z")] }],
      {
        fresh: true,
      },
    );
    expect(reads).toEqual(["day-2026-12-09"]);
    // The other worker books the 10th meanwhile: the first finds the day row taken, just read, and refuses.
    const taken = slot("2026-12-10T09:00:00Z", "2026-12-10T10:00:00Z");
    await two.reserve(randomUUID(), [{ roomId: ROOM_A, slots: [taken] }], { fresh: true });
    reads.length = 0;
    const refused = await failure(
      one.reserve(randomUUID(), [{ roomId: ROOM_A, slots: [taken] }], { fresh: true }),
    );
    expect(refused.code).toBe("conflict");
    expect(reads).toEqual(["day-2026-12-10"]);
    // The 11th is free, but the meta row the first store knows is stale: refused write, full read, written.
    reads.length = 0;
    const last = randomUUID();
    await one.reserve(
      last,
      [{ roomId: ROOM_A, slots: [slot("2026-12-11T09:00:00Z", "2026-12-11T10:00:00Z")] }],
      {
        fresh: true,
      },
    );
    expect(reads).toEqual(["day-2026-12-11", "meta", "booking-" + last, "day-2026-12-11"]);
    expect(await two.roomVersion(ROOM_A)).toBe(4);
    const held = await two.roomSlots(ROOM_A, ms("2026-12-08T00:00:00Z"), ms("2026-12-12T00:00:00Z"));
    expect(held).toHaveLength(4);
  });

  it("new bookings of one room made at once through one store take turns: no write refused, nothing read again", async () => {
    const tables = testTables(inject("tablesConnectionString"));
    const store = new TableBookingStore(tables);
    const hour = (h: number): Slot =>
      slot(
        `2026-12-14T${String(h).padStart(2, "0")}:00:00Z`,
        `2026-12-14T${String(h).padStart(2, "0")}:30:00Z`,
      );
    await store.reserve(randomUUID(), [{ roomId: ROOM_A, slots: [hour(8)] }], { fresh: true });
    const roomTable = await tables.table("roombookings");
    const calls: string[] = [];
    const getEntity = roomTable.getEntity.bind(roomTable);
    roomTable.getEntity = (pk: string, rk: string, options?: object) => {
      calls.push(`read ${rk}`);
      return getEntity(pk, rk, options);
    };
    const submit = roomTable.submitTransaction.bind(roomTable);
    roomTable.submitTransaction = (actions, options) => {
      calls.push("transaction");
      return submit(actions, options);
    };
    await Promise.all(
      [9, 10, 11, 12, 13, 14].map((h) =>
        store.reserve(randomUUID(), [{ roomId: ROOM_A, slots: [hour(h)] }], { fresh: true }),
      ),
    );
    expect(calls).toEqual(Array.from({ length: 6 }, () => "transaction"));
    expect(await store.roomVersion(ROOM_A)).toBe(7);
    expect(
      await store.roomSlots(ROOM_A, ms("2026-12-14T00:00:00Z"), ms("2026-12-15T00:00:00Z")),
    ).toHaveLength(7);
  });

  it("adjacent slots do not conflict; an edit moves a booking's slot; a release frees it", async () => {
    const store = new TableBookingStore(testTables(inject("tablesConnectionString")));
    const a = randomUUID();
    const b = randomUUID();
    await store.reserve(a, [
      { roomId: ROOM_A, slots: [slot("2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")] },
    ]);
    await store.reserve(b, [
      { roomId: ROOM_A, slots: [slot("2026-12-02T10:00:00Z", "2026-12-02T11:00:00Z")] },
    ]);
    // a moves over midnight into the next day; its old slot is gone.
    await store.reserve(a, [
      { roomId: ROOM_A, slots: [slot("2026-12-02T23:00:00Z", "2026-12-03T01:00:00Z")] },
    ]);
    const day = await store.roomSlots(ROOM_A, ms("2026-12-02T00:00:00Z"), ms("2026-12-04T00:00:00Z"));
    expect(day.map((s) => [s.bookingId, new Date(s.start).toISOString()])).toEqual([
      [b, "2026-12-02T10:00:00.000Z"],
      [a, "2026-12-02T23:00:00.000Z"],
    ]);
    await store.reserve(a, [{ roomId: ROOM_A, slots: [] }]);
    const after = await store.roomSlots(ROOM_A, ms("2026-12-02T00:00:00Z"), ms("2026-12-04T00:00:00Z"));
    expect(after.map((s) => s.bookingId)).toEqual([b]);
    expect(await store.roomVersion(ROOM_A)).toBe(4);
  });

  it("multi-room is all or nothing: a conflict in the second room releases the first", async () => {
    const store = new TableBookingStore(testTables(inject("tablesConnectionString")));
    const blocker = randomUUID();
    const s = slot("2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z");
    await store.reserve(blocker, [{ roomId: ROOM_B, slots: [s] }]);
    const e = await failure(
      store.reserve(randomUUID(), [
        { roomId: ROOM_A, slots: [s] },
        { roomId: ROOM_B, slots: [s] },
      ]),
    );
    expect(e.code).toBe("conflict");
    expect(e.extra.extensions?.roomId).toBe(ROOM_B);
    expect(await store.roomSlots(ROOM_A, s.start, s.end)).toEqual([]);
  });

  it("a long series spans several transactions and is found again day by day", async () => {
    const store = new TableBookingStore(testTables(inject("tablesConnectionString")));
    const start = ms("2026-12-01T09:00:00Z");
    const slots: Slot[] = Array.from({ length: 250 }, (_, i) => {
      const t = start + i * 86_400_000;
      return { key: new Date(t).toISOString(), start: t, end: t + 1_800_000 };
    });
    const id = randomUUID();
    await store.reserve(id, [{ roomId: ROOM_A, slots }]);
    const all = await store.roomSlots(ROOM_A, start, start + 260 * 86_400_000);
    expect(all).toHaveLength(250);
    const late = slots[200] as Slot;
    const e = await failure(store.reserve(randomUUID(), [{ roomId: ROOM_A, slots: [late] }]));
    expect(e.extra.extensions?.conflictStart).toBe(new Date(late.start).toISOString());
    await store.reserve(id, [{ roomId: ROOM_A, slots: [] }]);
    expect(await store.roomSlots(ROOM_A, start, start + 260 * 86_400_000)).toEqual([]);
  });
});

describe("TablePolicyStore against Azurite", () => {
  it("with a cache: a change made in this process is seen at once, one made elsewhere after the time to live", async () => {
    const tables = testTables(inject("tablesConnectionString"));
    let clock = Date.parse("2026-12-01T00:00:00Z");
    const cached = new TablePolicyStore(tables, { ttlMs: 15_000, now: () => clock });
    const admin = new TablePolicyStore(tables);
    expect((await cached.forRoom(ROOM_A)).id).toBe("default");
    await admin.putRoomPolicy(
      ROOM_A,
      policyRulesSchema.parse({ name: "Short", maxDurationMinutes: 30 }),
      new Date(clock),
    );
    expect((await cached.forRoom(ROOM_A)).maxDurationMinutes).toBe(30);
    // Another instance of the app changes it: this one keeps what it read until the time to live passes.
    const row = await (
      await tables.table(POLICIES_TABLE)
    ).getEntity<Record<string, unknown>>("policy", `room:${ROOM_A}`);
    const policy = unpackJson<Record<string, unknown>>(row);
    await (
      await tables.table(POLICIES_TABLE)
    ).upsertEntity(
      {
        partitionKey: "policy",
        rowKey: `room:${ROOM_A}`,
        ...packJson({ ...policy, maxDurationMinutes: 90 }),
      },
      "Replace",
    );
    clock += 14_999;
    expect((await cached.forRoom(ROOM_A)).maxDurationMinutes).toBe(30);
    clock += 1;
    expect((await cached.forRoom(ROOM_A)).maxDurationMinutes).toBe(90);
  });

  it("with a cache: a room without a policy costs no point read, one with its own or a shared policy one", async () => {
    const connectionString = inject("tablesConnectionString");
    const prefix = `s${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const requests: string[] = [];
    const counted = TableService.connect(
      { connectionString, prefix },
      {
        additionalPolicies: [
          {
            position: "perCall",
            policy: {
              name: "count-policy-reads",
              sendRequest: (request, next) => {
                const url = decodeURIComponent(request.url);
                if (request.method === "GET" && url.includes(`${prefix}${POLICIES_TABLE}(`))
                  requests.push(url.includes("RowKey=") ? "point read" : "query");
                else if (request.method === "GET" && url.includes(`${prefix}${POLICIES_TABLE}()`))
                  requests.push("query");
                return next(request);
              },
            },
          },
        ],
      },
    );
    let clock = Date.parse("2026-12-01T00:00:00Z");
    const cached = new TablePolicyStore(counted, { ttlMs: 15_000, now: () => clock });
    const ROOM_C = "room-c@contoso.example";
    expect((await cached.forRoom(ROOM_A)).id).toBe("default");
    expect((await cached.forRoom(ROOM_B)).id).toBe("default");
    // The policy index: rooms with a policy of their own, rooms in a shared policy (one query each).
    expect(requests).toEqual(["query", "query"]);

    // Another instance of the app saves an own policy for A and a shared one for B and C.
    const elsewhere = new TablePolicyStore(TableService.connect({ connectionString, prefix }));
    await elsewhere.putRoomPolicy(
      ROOM_A,
      policyRulesSchema.parse({ name: "Own", maxDurationMinutes: 20 }),
      new Date(clock),
    );
    await elsewhere.putShared(
      "floor",
      policyRulesSchema.parse({ name: "Floor", maxDurationMinutes: 40 }),
      [ROOM_B, ROOM_C],
      new Date(clock),
    );
    clock += 15_000;
    requests.length = 0;
    expect((await cached.forRoom(ROOM_A)).maxDurationMinutes).toBe(20);
    expect((await cached.forRoom(ROOM_B)).maxDurationMinutes).toBe(40);
    expect((await cached.forRoom("room-d@contoso.example")).id).toBe("default");
    expect(requests).toEqual(["query", "query", "point read", "point read"]);
    requests.length = 0;
    clock += 1_000;
    expect((await cached.forRoom(ROOM_A)).maxDurationMinutes).toBe(20);
    expect((await cached.forRoom(ROOM_C)).maxDurationMinutes).toBe(40);
    expect(requests).toEqual(["point read"]);
  });

  it("a room's own policy wins over its shared policy; rooms move between shared policies", async () => {
    const store = new TablePolicyStore(testTables(inject("tablesConnectionString")));
    const now = new Date("2026-12-01T00:00:00Z");
    expect((await store.forRoom(ROOM_A)).id).toBe("default");
    await store.putShared(
      "p1",
      policyRulesSchema.parse({ name: "Floor 1", maxDurationMinutes: 60 }),
      [ROOM_A, ROOM_B],
      now,
    );
    expect((await store.forRoom(ROOM_A)).maxDurationMinutes).toBe(60);
    await store.putShared("p2", policyRulesSchema.parse({ name: "Board" }), [ROOM_B], now);
    expect((await store.forRoom(ROOM_B)).id).toBe("p2");
    expect((await store.shared("p1"))?.roomIds).toEqual([ROOM_A]);
    await store.putRoomPolicy(ROOM_A, policyRulesSchema.parse({ name: "Own", allowRecurring: false }), now);
    const own = await store.forRoom(ROOM_A);
    expect([own.id, own.allowRecurring]).toEqual([`room:${ROOM_A}`, false]);
    expect((await store.listShared()).map((p) => p.id)).toEqual(["p2", "p1"]);
  });
});

/** The row keys of `roombookings` point reads made from now on through these tables, in order. */
async function recordRoomReads(tables: ReturnType<typeof testTables>): Promise<string[]> {
  const roomTable = await tables.table("roombookings");
  const reads: string[] = [];
  const getEntity = roomTable.getEntity.bind(roomTable);
  roomTable.getEntity = (pk: string, rk: string, options?: object) => {
    reads.push(rk);
    return getEntity(pk, rk, options);
  };
  return reads;
}

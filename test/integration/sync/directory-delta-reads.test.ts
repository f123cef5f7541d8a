import { describe, expect, inject, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { runSync } from "../../../shared/app/sync/run-sync";
import type { Settings } from "../../../shared/config";
import { tableServiceFromSettings } from "../../../shared/composition/adapters";
import { useDemoSimulator } from "../m365/helpers";
import { harness, type Harness } from "./harness";

const conn = inject("tablesConnectionString");

/** Table requests by logical table: point reads (by keys) and query pages. */
interface Reads {
  point: Map<string, number>;
  query: Map<string, number>;
}

/** A harness whose Tables client counts the reads it sends, per logical table. */
function countingHarness(sim: RunningM365Simulator): { h: Harness; reads: Reads } {
  const reads: Reads = { point: new Map(), query: new Map() };
  const prefix = `d${Math.random().toString(36).slice(2, 12)}`;
  const tables = tableServiceFromSettings(
    { TABLES_CONNECTION_STRING: conn, TABLE_PREFIX: prefix } as Settings,
    {
      additionalPolicies: [
        {
          position: "perRetry",
          policy: {
            name: "count-reads",
            sendRequest: (request, next) => {
              const path = decodeURIComponent(new URL(request.url).pathname);
              const match = /\/([^/(]+)\((.*)\)$/.exec(path);
              if (request.method === "GET" && match !== null && match[1]!.startsWith(prefix)) {
                const table = match[1]!.slice(prefix.length);
                const kind = match[2] === "" ? reads.query : reads.point;
                kind.set(table, (kind.get(table) ?? 0) + 1);
              }
              return next(request);
            },
          },
        },
      ],
    },
  );
  return { h: harness(sim, conn, "application", { tables }), reads };
}

const clear = (reads: Reads): void => {
  reads.point.clear();
  reads.query.clear();
};

describe("incremental directory sync: what it reads from Table Storage", () => {
  let sim: RunningM365Simulator;
  useDemoSimulator((started) => (sim = started), { reseed: true });

  it("reads no stored person for changed people (only for removed ones) and room rows only when people arrive", async () => {
    const { h, reads } = countingHarness(sim);
    expect((await runSync(h.deps, "rooms", "timer")).outcome).toBe("succeeded");
    expect((await runSync(h.deps, "directory", "timer")).outcome).toBe("succeeded");

    // Nothing changed: the run reads neither people nor rooms.
    clear(reads);
    const quiet = await runSync(h.deps, "directory", "timer");
    expect(quiet.status?.counts).toMatchObject({ usersRead: 0, written: 0 });
    expect(reads.point.get("users")).toBeUndefined();
    expect(reads.query.get("rooms")).toBeUndefined();

    // Three people change, one is deleted, one room mailbox changes.
    const c = sim.control;
    const [a, b, d, gone] = [...c.store.users.values()].filter((u) => !u.isRoomMailbox);
    const roomMailbox = [...c.store.users.values()].find((u) => u.isRoomMailbox)!;
    c.updateUser(a!.id, { department: "Research" });
    c.updateUser(b!.id, { jobTitle: "Architect" });
    c.updateUser(d!.id, { officeLocation: "Floor 7" });
    const kept = await h.store.people.person(gone!.id);
    c.deleteUser(gone!.id);
    c.updateUser(roomMailbox.id, { displayName: "Renamed Room" });

    clear(reads);
    const changed = await runSync(h.deps, "directory", "timer");
    expect(changed.outcome).toBe("succeeded");
    expect(changed.status?.counts).toMatchObject({ usersRead: 5, roomMailboxesSkipped: 1, peopleRemoved: 1 });
    // One point read: the removed person's row. The room addresses: one query page (24 rooms).
    expect(reads.point.get("users")).toBe(1);
    expect(reads.query.get("rooms")).toBe(1);

    const people = h.store.people;
    expect((await people.person(a!.id))?.department).toBe("Research");
    expect((await people.person(b!.id))?.jobTitle).toBe("Architect");
    expect((await people.person(d!.id))?.officeLocation).toBe("Floor 7");
    // The removed person keeps what ONES knew of them, marked deleted.
    expect(await people.person(gone!.id)).toEqual({ ...kept, status: "deleted", removedReason: "changed" });
    expect(await people.person(roomMailbox.id)).toBeUndefined();
  });
});

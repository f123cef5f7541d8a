import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { personKey, TablePeopleStore, USERS_TABLE } from "../../../shared/adapters/tables/table-people";
import { TableService } from "../../../shared/adapters/tables/table-service";
import { TableSyncStore } from "../../../shared/adapters/tables/table-sync-store";
import type { Person } from "../../../shared/domain/people/person";

/**
 * The sign-in guard's copy of a person's directory entry (disabled, deleted): kept for its time to live,
 * except that a write stored through this process (the directory sync, a sign-in) applies at once.
 */
const person = (id: string, status: Person["status"]): Person => ({
  id,
  displayName: "Dora Directory",
  givenName: "Dora",
  surname: "Directory",
  email: "dora.directory@contoso.example",
  userPrincipalName: "dora.directory@contoso.example",
  department: null,
  jobTitle: null,
  officeLocation: null,
  preferredLanguage: null,
  status,
});

function countingTables(
  connectionString: string,
  prefix: string,
): { tables: TableService; reads: () => number } {
  let reads = 0;
  const tables = TableService.connect(
    { connectionString, prefix },
    {
      additionalPolicies: [
        {
          position: "perCall",
          policy: {
            name: "count-user-reads",
            sendRequest: (request, next) => {
              if (
                request.method === "GET" &&
                decodeURIComponent(request.url).includes(`${prefix}${USERS_TABLE}(`)
              )
                reads++;
              return next(request);
            },
          },
        },
      ],
    },
  );
  return { tables, reads: () => reads };
}

describe("TablePeopleStore with a cache", () => {
  it("reads a person once per time to live; a change stored elsewhere shows after it, one stored here at once", async () => {
    const connectionString = inject("tablesConnectionString");
    const prefix = `s${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const { tables, reads } = countingTables(connectionString, prefix);
    let clock = Date.parse("2026-12-01T00:00:00Z");
    const cached = new TablePeopleStore(tables, { ttlMs: 15_000, now: () => clock });
    const id = randomUUID();

    // Not in the directory (yet): the answer is kept too, and concurrent look-ups share one read.
    const [a, b] = await Promise.all([cached.person(id), cached.person(id)]);
    expect([a, b]).toEqual([undefined, undefined]);
    expect(reads()).toBe(1);

    // Another instance of the app stores the person, disabled: seen once the time to live has passed.
    const elsewhere = await TableService.connect({ connectionString, prefix }).table(USERS_TABLE);
    await elsewhere.upsertEntity(
      { ...personKey(id), displayName: "Dora Directory", status: "disabled" },
      "Replace",
    );
    clock += 14_999;
    expect(await cached.person(id)).toBeUndefined();
    expect(reads()).toBe(1);
    clock += 1;
    expect((await cached.person(id))?.status).toBe("disabled");
    expect(reads()).toBe(2);

    // The directory sync of this process enables the person again: seen at once.
    const writer = new TableSyncStore(TableService.connect({ connectionString, prefix })).writer();
    await writer.add({ entity: "person", person: person(id, "active"), hash: "h1" }, 0);
    writer.pageComplete(0);
    await writer.flush();
    expect((await cached.person(id))?.status).toBe("active");
    expect(reads()).toBe(3);
    expect((await cached.person(id))?.status).toBe("active");
    expect(reads()).toBe(3);

    // A save here (a sign-in) is seen at once as well.
    await new TablePeopleStore(TableService.connect({ connectionString, prefix })).savePerson(
      person(id, "deleted"),
      "h2",
    );
    expect((await cached.person(id))?.status).toBe("deleted");
    expect(reads()).toBe(4);
  });
});

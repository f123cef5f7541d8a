import { odata, type TableEntityResult } from "@azure/data-tables";
import type { PeopleSearch, PeopleSearchPage } from "../../app/ports/people-search";
import type { Fingerprint, PeopleStore } from "../../app/ports/sync-store";
import { AppError } from "../../domain/errors";
import type { Group, Membership } from "../../domain/people/group";
import type { Person, PersonStatus } from "../../domain/people/person";
import { bucketOf } from "../../domain/sync/content-hash";
import { defined } from "./table-rooms";
import { safeKey, unsafeKey, type RoutedWrite } from "./table-batch-writer";
import { ReadCache, type CacheOptions } from "./read-cache";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * People, groups and memberships. Each table spreads over 16 partitions by a hash of the id (group id
 * for memberships), so a full sync fills transactions of 100 and no partition runs hot; a person is
 * still one point read (`u{bucket}`, id). A group's members are one range query in its partition.
 */
export const USERS_TABLE = "users";
export const GROUPS_TABLE = "groups";
export const MEMBERSHIPS_TABLE = "memberships";

type Row = TableEntityResult<Record<string, unknown>>;

/**
 * Counts the person writes this process has stored (the directory sync's transactions of `users` rows,
 * a sign-in's `savePerson`), counted once each has landed. A person cached before that is not used
 * after it, so a change stored through this instance of the app is seen at once; one stored by another
 * instance, once the cache entry is older than its time to live.
 */
let personWritesInProcess = 0;

/** The sync's batch writer calls this once a transaction of `table` rows is stored. */
export function rowsStored(table: string): void {
  if (table === USERS_TABLE) personWritesInProcess++;
}
/** People kept at most by a caching store (it starts again when full). */
const MAX_CACHED_PEOPLE = 50_000;

export const personKey = (id: string) => ({ partitionKey: `u${bucketOf(id)}`, rowKey: safeKey(id) });
export const groupKey = (id: string) => ({ partitionKey: `g${bucketOf(id)}`, rowKey: safeKey(id) });
export const membershipKey = (groupId: string, memberId: string) => ({
  partitionKey: `m${bucketOf(groupId)}`,
  rowKey: `${safeKey(groupId)}|${safeKey(memberId)}`,
});

function personEntity(person: Person, hash: string) {
  return { ...personKey(person.id), ...defined({ ...person, id: undefined, hash }) };
}

export function personWrite(person: Person, hash: string): RoutedWrite {
  return {
    table: USERS_TABLE,
    ...personKey(person.id),
    action: ["upsert", personEntity(person, hash), "Replace"],
  };
}

export function groupWrite(group: Group, hash: string, membersHash: string): RoutedWrite {
  const key = groupKey(group.id);
  const entity = { ...key, ...defined({ ...group, id: undefined, hash, membersHash }) };
  return { table: GROUPS_TABLE, ...key, action: ["upsert", entity, "Replace"] };
}

export function membershipWrite(m: Membership, op: "put" | "delete"): RoutedWrite {
  const key = membershipKey(m.groupId, m.memberId);
  return {
    table: MEMBERSHIPS_TABLE,
    ...key,
    action: op === "put" ? ["upsert", { ...key, memberType: m.memberType }, "Replace"] : ["delete", key],
  };
}

function personFromRow(row: Row): Person & { hash: string } {
  const s = (k: string): string | null => (typeof row[k] === "string" ? row[k] : null);
  const removedReason = s("removedReason");
  return {
    id: unsafeKey(row.rowKey ?? ""),
    displayName: s("displayName") ?? "",
    givenName: s("givenName"),
    surname: s("surname"),
    email: s("email"),
    userPrincipalName: s("userPrincipalName"),
    department: s("department"),
    jobTitle: s("jobTitle"),
    officeLocation: s("officeLocation"),
    preferredLanguage: s("preferredLanguage"),
    status: (s("status") ?? "active") as PersonStatus,
    ...(removedReason === null ? {} : { removedReason: removedReason as "changed" | "deleted" | "missing" }),
    ...(s("source") === "sign-in" ? { source: "sign-in" as const } : {}),
    hash: s("hash") ?? "",
  };
}

function groupFromRow(row: Row): Group & { hash: string; membersHash: string } {
  const s = (k: string): string | null => (typeof row[k] === "string" ? row[k] : null);
  return {
    id: unsafeKey(row.rowKey ?? ""),
    displayName: s("displayName") ?? "",
    description: s("description"),
    email: s("email"),
    kind: (s("kind") ?? "security") as Group["kind"],
    status: s("status") === "deleted" ? "deleted" : "active",
    hash: s("hash") ?? "",
    membersHash: s("membersHash") ?? "",
  };
}

/** The first string after every string that starts with `prefix` (its last code unit plus one). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Names are stored as written: the prefix as typed, in lower case, with a capital, and in title case. */
function nameVariants(prefix: string): string[] {
  const lower = prefix.toLowerCase();
  const capital = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
  return [...new Set([prefix, lower, capital(lower), lower.split(" ").map(capital).join(" ")])];
}

/** An OData string literal. */
const quoted = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/** A search cursor: where the table scan goes on (Tables' next partition and row keys). */
function sdkToken(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((k) => typeof k === "string")) {
      const [nextPartitionKey, nextRowKey] = parsed as [string, string];
      return Buffer.from(JSON.stringify({ nextPartitionKey, nextRowKey })).toString("base64");
    }
  } catch {
    // fall through: not a cursor of ours
  }
  throw new AppError("validation-failed", "The cursor is not valid.", {
    fields: [{ path: "cursor", message: "not a cursor of this search" }],
  });
}

function ourCursor(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const { nextPartitionKey = "", nextRowKey = "" } = JSON.parse(
    Buffer.from(token, "base64").toString("utf8"),
  ) as { nextPartitionKey?: string; nextRowKey?: string };
  return Buffer.from(JSON.stringify([nextPartitionKey, nextRowKey])).toString("base64url");
}

/** Table requests one search makes at most (a scan answers at most 1,000 rows per request). */
const SEARCH_REQUESTS = 8;

export class TablePeopleStore implements PeopleStore, PeopleSearch {
  /**
   * `cache`: keep what `person` found (or did not find), per person, for `ttlMs` (the sign-in guard
   * reads the caller's entry on every request; the directory sync changes it rarely). Without it
   * every call reads the table.
   */
  private readonly cached: ReadCache<Person | undefined> | undefined;

  constructor(
    private readonly tables: TableService,
    cache?: CacheOptions,
    private readonly readConcurrency = 16,
  ) {
    this.cached =
      cache === undefined ? undefined : new ReadCache(cache, () => personWritesInProcess, MAX_CACHED_PEOPLE);
  }

  async personFingerprints(): Promise<Map<string, Fingerprint>> {
    return this.fingerprints(USERS_TABLE, ["RowKey", "hash", "status"]);
  }

  async groupFingerprints(): Promise<Map<string, Fingerprint>> {
    return this.fingerprints(GROUPS_TABLE, ["RowKey", "hash", "status", "membersHash"]);
  }

  async people(ids: readonly string[]): Promise<Map<string, Person & { hash: string }>> {
    const client = await this.tables.table(USERS_TABLE);
    return this.pointReads(ids, async (id) => {
      const k = personKey(id);
      return personFromRow(await client.getEntity<Record<string, unknown>>(k.partitionKey, k.rowKey));
    });
  }

  async groups(ids: readonly string[]): Promise<Map<string, Group & { hash: string; membersHash: string }>> {
    const client = await this.tables.table(GROUPS_TABLE);
    return this.pointReads(ids, async (id) => {
      const k = groupKey(id);
      return groupFromRow(await client.getEntity<Record<string, unknown>>(k.partitionKey, k.rowKey));
    });
  }

  async membersOf(groupId: string): Promise<Membership[]> {
    const client = await this.tables.table(MEMBERSHIPS_TABLE);
    const pk = membershipKey(groupId, "").partitionKey;
    const prefix = `${safeKey(groupId)}|`;
    // "|" + 1 = "}": the range [prefix, prefix with "}") holds exactly this group's rows.
    const end = `${safeKey(groupId)}}`;
    const filter = odata`PartitionKey eq ${pk} and RowKey ge ${prefix} and RowKey lt ${end}`;
    const out: Membership[] = [];
    for await (const row of client.listEntities<{ memberType?: string }>({ queryOptions: { filter } })) {
      out.push({
        groupId,
        memberId: unsafeKey((row.rowKey ?? "").slice(prefix.length)),
        memberType: row.memberType === "group" ? "group" : "user",
      });
    }
    return out;
  }

  async person(id: string): Promise<Person | undefined> {
    return this.cached === undefined ? this.readPerson(id) : this.cached.get(id, () => this.readPerson(id));
  }

  private async readPerson(id: string): Promise<Person | undefined> {
    const found = await this.people([id]);
    const p = found.get(id);
    if (p === undefined) return undefined;
    const { hash: _hash, ...person } = p;
    return person;
  }

  async savePerson(person: Person, hash: string): Promise<void> {
    const client = await this.tables.table(USERS_TABLE);
    await client.upsertEntity(personEntity(person, hash), "Replace");
    personWritesInProcess++;
  }

  /**
   * A prefix scan over the users table: display name in four case variants, surname in two, the address in
   * lower case (as stored): at most 14 comparisons (Tables allow 15 per filter). People who may not use ONES
   * or have no address are left out here. Each call makes at most a few requests and returns where it
   * stopped, so a large directory is searched page by page.
   */
  async searchPeople(
    prefix: string,
    options: { readonly limit: number; readonly cursor?: string },
  ): Promise<PeopleSearchPage> {
    const client = await this.tables.table(USERS_TABLE);
    const range = (field: "displayName" | "surname" | "email", v: string): string =>
      `(${field} ge ${quoted(v)} and ${field} lt ${quoted(prefixEnd(v))})`;
    const lower = prefix.toLowerCase();
    const filter = [
      ...nameVariants(prefix).map((v) => range("displayName", v)),
      ...[...new Set([lower, lower.charAt(0).toUpperCase() + lower.slice(1)])].map((v) =>
        range("surname", v),
      ),
      range("email", lower),
    ].join(" or ");
    const items: Person[] = [];
    let token = sdkToken(options.cursor);
    for (let request = 0; request < SEARCH_REQUESTS && items.length < options.limit; request++) {
      const pages = client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({
        maxPageSize: options.limit - items.length,
        ...(token === undefined ? {} : { continuationToken: token }),
      });
      const next = await pages.next();
      if (next.done === true) {
        token = undefined;
        break;
      }
      for (const row of next.value) {
        const { hash: _hash, ...person } = personFromRow(row);
        if (person.status === "active" && person.email !== null) items.push(person);
      }
      token = next.value.continuationToken;
      if (token === undefined) break;
    }
    const cursor = ourCursor(token);
    return { items, ...(cursor === undefined ? {} : { cursor }) };
  }

  private async fingerprints(table: string, select: string[]): Promise<Map<string, Fingerprint>> {
    const client = await this.tables.table(table);
    const map = new Map<string, Fingerprint>();
    const rows = client.listEntities<{ hash?: string; status?: string; membersHash?: string }>({
      queryOptions: { select },
    });
    for await (const row of rows) {
      map.set(unsafeKey(row.rowKey ?? ""), {
        hash: row.hash ?? "",
        active: row.status !== "deleted",
        ...(row.membersHash === undefined ? {} : { membersHash: row.membersHash }),
      });
    }
    return map;
  }

  private async pointReads<T>(
    ids: readonly string[],
    read: (id: string) => Promise<T>,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        try {
          out.set(id, await read(id));
        } catch (error) {
          if (storageStatus(error) !== 404) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.readConcurrency, ids.length) }, worker));
    return out;
  }
}

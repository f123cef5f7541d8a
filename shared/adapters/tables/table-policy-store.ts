import { odata } from "@azure/data-tables";
import type { PolicyStore } from "../../app/ports/policy-store";
import {
  defaultPolicy,
  policyRulesSchema,
  roomPolicyId,
  type BookingPolicy,
  type PolicyRules,
} from "../../domain/bookings/policy";
import { safeKey } from "./keys";
import { packJson, unpackJson } from "./packed-json";
import { ReadCache, type CacheOptions } from "./read-cache";
import { storageStatus as statusOf } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * Table `policies`: partition `policy` holds each policy (a room's own, id `room:{roomId}`, or a shared
 * one), partition `assignment` holds one row per room in a shared policy (RowKey = room id). Policies
 * are few and small: reads are point reads, the shared list one partition query. A caching store
 * (the booking request path) first reads which rooms have a policy at all, key-only, once per time to
 * live: a room with neither its own nor a shared policy then costs no read, the others one.
 */
export const POLICIES_TABLE = "policies";
const POLICY_PK = "policy";
const ASSIGNMENT_PK = "assignment";
/** Row keys of rooms' own policies (`room:{roomId}`) lie in [OWN_PREFIX, OWN_END). */
const OWN_PREFIX = safeKey(roomPolicyId(""));
const OWN_END = "room;";
/** Rooms whose policy one store keeps at most (the cache starts again beyond). */
const MAX_CACHED = 50_000;

/**
 * Counts the policy writes of this process. A cached policy read before a write is not used after it,
 * so a change made here (by any store) is seen at once; changes made by other instances of the app are
 * seen once the cache entry is older than its time to live.
 */
let writesInProcess = 0;

/**
 * Which rooms have a policy of their own and which are in a shared one, as row keys: what a caching
 * store reads, with two key-only partition queries, instead of two point reads (mostly misses) per room.
 */
interface PolicyIndex {
  readonly own: ReadonlySet<string>;
  readonly assigned: ReadonlyMap<string, string>;
}

export class TablePolicyStore implements PolicyStore {
  private readonly cached: ReadCache<BookingPolicy> | undefined;
  private readonly index: ReadCache<PolicyIndex> | undefined;

  /**
   * `cache`: keep what `forRoom` read, per room, for `ttlMs` (the booking request path reads a room's
   * policy on every request; policies change rarely). Without it every call reads the table.
   */
  constructor(
    private readonly tables: TableService,
    cache?: CacheOptions,
  ) {
    const writes = (): number => writesInProcess;
    this.cached = cache === undefined ? undefined : new ReadCache(cache, writes, MAX_CACHED);
    this.index = cache === undefined ? undefined : new ReadCache(cache, writes, 1);
  }

  async forRoom(roomId: string): Promise<BookingPolicy> {
    if (this.cached === undefined) return this.readForRoom(roomId);
    return this.cached.get(roomId, () => this.indexedForRoom(roomId));
  }

  /**
   * The caching store's look-up: the room's own or shared policy by the policy index (one point read),
   * or the default policy without reading a row.
   */
  private async indexedForRoom(roomId: string): Promise<BookingPolicy> {
    const index = await (this.index as ReadCache<PolicyIndex>).get("", () => this.readIndex());
    const key = safeKey(roomId);
    const own = index.own.has(key) ? await this.roomPolicy(roomId) : undefined;
    if (own !== undefined) return own;
    const sharedId = index.assigned.get(key);
    const shared = sharedId === undefined ? undefined : await this.shared(sharedId);
    return shared ?? defaultPolicy();
  }

  private async readIndex(): Promise<PolicyIndex> {
    const table = await this.tables.table(POLICIES_TABLE);
    const own = new Set<string>();
    const ownRows = table.listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${POLICY_PK} and RowKey ge ${OWN_PREFIX} and RowKey lt ${OWN_END}`,
        select: ["RowKey"],
      },
    });
    for await (const row of ownRows) own.add((row.rowKey ?? "").slice(OWN_PREFIX.length));
    const assigned = new Map<string, string>();
    const assignmentRows = table.listEntities<{ policyId?: string }>({
      queryOptions: { filter: odata`PartitionKey eq ${ASSIGNMENT_PK}`, select: ["RowKey", "policyId"] },
    });
    for await (const row of assignmentRows)
      if (typeof row.policyId === "string") assigned.set(row.rowKey ?? "", row.policyId);
    return { own, assigned };
  }

  private async readForRoom(roomId: string): Promise<BookingPolicy> {
    const own = await this.roomPolicy(roomId);
    if (own !== undefined) return own;
    const table = await this.tables.table(POLICIES_TABLE);
    const assignment = await read(() =>
      table.getEntity<{ policyId?: string }>(ASSIGNMENT_PK, safeKey(roomId)),
    );
    const shared = assignment?.policyId === undefined ? undefined : await this.shared(assignment.policyId);
    return shared ?? defaultPolicy();
  }

  roomPolicy(roomId: string): Promise<BookingPolicy | undefined> {
    return this.load(roomPolicyId(roomId));
  }

  putRoomPolicy(roomId: string, rules: PolicyRules, now: Date): Promise<BookingPolicy> {
    return this.store({
      ...rules,
      id: roomPolicyId(roomId),
      roomIds: [roomId],
      updatedAt: now.toISOString(),
    });
  }

  async listShared(): Promise<BookingPolicy[]> {
    const table = await this.tables.table(POLICIES_TABLE);
    const out: BookingPolicy[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${POLICY_PK}'` },
    })) {
      const p = parse(row);
      if (p !== undefined && !p.id.startsWith("room:")) out.push(p);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async shared(id: string): Promise<BookingPolicy | undefined> {
    if (id.startsWith("room:")) return undefined;
    return this.load(id);
  }

  async putShared(
    id: string,
    rules: PolicyRules,
    roomIds: readonly string[],
    now: Date,
  ): Promise<BookingPolicy> {
    const table = await this.tables.table(POLICIES_TABLE);
    const previous = await this.shared(id);
    const policy = await this.store({
      ...rules,
      id,
      roomIds: [...new Set(roomIds)].sort(),
      updatedAt: now.toISOString(),
    });
    const keep = new Set(policy.roomIds);
    for (const roomId of previous?.roomIds ?? []) {
      if (keep.has(roomId)) continue;
      const row = await read(() => table.getEntity<{ policyId?: string }>(ASSIGNMENT_PK, safeKey(roomId)));
      if (row?.policyId === id) await table.deleteEntity(ASSIGNMENT_PK, safeKey(roomId)).catch(ignore404);
      writesInProcess++;
    }
    for (const roomId of policy.roomIds) {
      // A room moving here leaves its previous shared policy's room list.
      const row = await read(() => table.getEntity<{ policyId?: string }>(ASSIGNMENT_PK, safeKey(roomId)));
      if (row?.policyId !== undefined && row.policyId !== id) {
        const other = await this.shared(row.policyId);
        if (other !== undefined)
          await this.store({ ...other, roomIds: other.roomIds.filter((r) => r !== roomId) });
      }
      await table.upsertEntity(
        { partitionKey: ASSIGNMENT_PK, rowKey: safeKey(roomId), policyId: id },
        "Replace",
      );
      writesInProcess++;
    }
    return policy;
  }

  private async load(id: string): Promise<BookingPolicy | undefined> {
    const table = await this.tables.table(POLICIES_TABLE);
    const row = await read(() => table.getEntity<Record<string, unknown>>(POLICY_PK, safeKey(id)));
    return row === undefined ? undefined : parse(row);
  }

  private async store(policy: BookingPolicy): Promise<BookingPolicy> {
    const table = await this.tables.table(POLICIES_TABLE);
    await table.upsertEntity(
      { partitionKey: POLICY_PK, rowKey: safeKey(policy.id), ...packJson(policy) },
      "Replace",
    );
    writesInProcess++;
    return policy;
  }
}

/** A stored policy, read through the schema so rules added later get their defaults. */
function parse(row: Record<string, unknown>): BookingPolicy | undefined {
  const raw = unpackJson<BookingPolicy>(row);
  if (raw === undefined) return undefined;
  const { id, roomIds, updatedAt, ...rules } = raw;
  const parsed = policyRulesSchema.safeParse(rules);
  return parsed.success ? { ...parsed.data, id, roomIds, updatedAt } : undefined;
}

async function read<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

function ignore404(error: unknown): void {
  if (statusOf(error) !== 404) throw error;
}

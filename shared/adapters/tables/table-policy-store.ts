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
import { storageStatus as statusOf } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * Table `policies`: partition `policy` holds each policy (a room's own, id `room:{roomId}`, or a shared
 * one), partition `assignment` holds one row per room in a shared policy (RowKey = room id). Policies
 * are few and small: reads are point reads, the shared list one partition query.
 */
export const POLICIES_TABLE = "policies";
const POLICY_PK = "policy";
const ASSIGNMENT_PK = "assignment";
/** Rooms whose policy one store keeps at most (the cache starts again beyond). */
const MAX_CACHED = 50_000;

/**
 * Counts the policy writes of this process. A cached policy read before a write is not used after it,
 * so a change made here (by any store) is seen at once; changes made by other instances of the app are
 * seen once the cache entry is older than its time to live.
 */
let writesInProcess = 0;

export class TablePolicyStore implements PolicyStore {
  private readonly cached = new Map<string, { policy: Promise<BookingPolicy>; at: number; writes: number }>();

  /**
   * `cache`: keep what `forRoom` read, per room, for `ttlMs` (the booking request path reads a room's
   * policy on every request; policies change rarely). Without it every call reads the table.
   */
  constructor(
    private readonly tables: TableService,
    private readonly cache?: { readonly ttlMs: number; readonly now: () => number },
  ) {}

  async forRoom(roomId: string): Promise<BookingPolicy> {
    if (this.cache === undefined) return this.readForRoom(roomId);
    const { ttlMs, now } = this.cache;
    const hit = this.cached.get(roomId);
    if (hit !== undefined && hit.writes === writesInProcess && now() - hit.at < ttlMs) return hit.policy;
    // Concurrent requests for one room share one read; a failed read is not kept.
    const entry = { policy: this.readForRoom(roomId), at: now(), writes: writesInProcess };
    if (this.cached.size >= MAX_CACHED) this.cached.clear();
    this.cached.set(roomId, entry);
    entry.policy.catch(() => {
      if (this.cached.get(roomId) === entry) this.cached.delete(roomId);
    });
    return entry.policy;
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

import type { BookingPolicy, PolicyRules } from "../../domain/bookings/policy";
import { AppError } from "../../domain/errors";
import type { Room } from "../../domain/rooms/room";
import type { BookingDependencies } from "./dependencies";

export interface RoomQuery {
  readonly building?: string;
  readonly floor?: string;
  readonly capacity?: number;
  /** Every one of these must be among the room's tags or devices (case-insensitive). */
  readonly equipment: readonly string[];
  /** Only rooms with nothing reserved in [from, to). */
  readonly free?: { readonly from: number; readonly to: number };
  readonly limit: number;
  readonly cursor?: string;
}

export interface RoomView {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly capacity: number | null;
  readonly building: { readonly id: string; readonly name: string };
  readonly floor: {
    readonly id: string | null;
    readonly label: string | null;
    readonly number: number | null;
  };
  readonly wheelchairAccessible: boolean;
  readonly tags: readonly string[];
  readonly devices: readonly string[];
  readonly timeZone: string;
}

/** What the booking form needs of a room's policy (no approver addresses or group ids). */
export interface RoomPolicySummary {
  readonly requiresApproval: boolean;
  /** The check-in rules people see (never the display PIN). */
  readonly checkIn: Pick<PolicyRules["checkIn"], "required" | "windowBeforeMinutes" | "graceAfterMinutes">;
  readonly privacy: PolicyRules["privacy"];
  readonly termsOfUse: string | null;
  readonly formFields: PolicyRules["formFields"];
  readonly allowRecurring: boolean;
  readonly allowAllDay: boolean;
  readonly allowOvernight: boolean;
  readonly allowMultiRoom: boolean;
  readonly businessHours: PolicyRules["businessHours"];
  readonly minDurationMinutes: number | null;
  readonly maxDurationMinutes: number | null;
  readonly bookingWindowDays: number | null;
}

export function roomView(r: Room): RoomView {
  return {
    id: r.id,
    email: r.email,
    displayName: r.displayName,
    capacity: r.capacity,
    building: { id: r.buildingId, name: r.buildingName },
    floor: { id: r.floorId, label: r.floorLabel, number: r.floorNumber },
    wheelchairAccessible: r.wheelchairAccessible,
    tags: r.tags,
    devices: r.devices,
    timeZone: r.timeZone,
  };
}

function policySummary(p: BookingPolicy): RoomPolicySummary {
  return {
    requiresApproval: p.approval.required,
    checkIn: {
      required: p.checkIn.required,
      windowBeforeMinutes: p.checkIn.windowBeforeMinutes,
      graceAfterMinutes: p.checkIn.graceAfterMinutes,
    },
    privacy: p.privacy,
    termsOfUse: p.termsOfUse,
    formFields: p.formFields,
    allowRecurring: p.allowRecurring,
    allowAllDay: p.allowAllDay,
    allowOvernight: p.allowOvernight,
    allowMultiRoom: p.allowMultiRoom,
    businessHours: p.businessHours,
    minDurationMinutes: p.minDurationMinutes,
    maxDurationMinutes: p.maxDurationMinutes,
    bookingWindowDays: p.bookingWindowDays,
  };
}

const lower = (s: string): string => s.trim().toLowerCase();

/** GET /api/rooms: active, bookable rooms matching the filters, by name, paged. */
export async function listRooms(
  deps: Pick<BookingDependencies, "rooms" | "store">,
  q: RoomQuery,
): Promise<{ items: RoomView[]; cursor?: string }> {
  if (q.free !== undefined && q.free.to <= q.free.from)
    throw new AppError("validation-failed", "`to` must be after `from`.");
  if (q.free !== undefined && q.free.to - q.free.from > 31 * 86_400_000)
    throw new AppError("validation-failed", "Look for free rooms over at most 31 days.");
  const want = q.equipment.map(lower);
  const matching = (await deps.rooms.rooms())
    .filter((r) => r.active && r.bookable)
    .filter(
      (r) =>
        q.building === undefined ||
        lower(r.buildingId) === lower(q.building) ||
        lower(r.buildingName) === lower(q.building),
    )
    .filter(
      (r) =>
        q.floor === undefined ||
        [r.floorId, r.floorLabel, r.floorNumber === null ? null : String(r.floorNumber)].some(
          (f) => f !== null && lower(f) === lower(q.floor as string),
        ),
    )
    .filter((r) => q.capacity === undefined || (r.capacity ?? 0) >= q.capacity)
    .filter((r) => {
      const have = new Set([...r.tags, ...r.devices].map(lower));
      return want.every((w) => have.has(w));
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  let offset = 0;
  if (q.cursor !== undefined) {
    offset = Number(Buffer.from(q.cursor, "base64url").toString("utf8"));
    if (!Number.isInteger(offset) || offset < 0)
      throw new AppError("validation-failed", "The cursor is not valid.");
  }
  const items: Room[] = [];
  let i = offset;
  for (; i < matching.length && items.length < q.limit; i++) {
    const room = matching[i] as Room;
    if (q.free !== undefined && (await deps.store.roomSlots(room.id, q.free.from, q.free.to)).length > 0)
      continue;
    items.push(room);
  }
  return {
    items: items.map(roomView),
    ...(i < matching.length ? { cursor: Buffer.from(String(i)).toString("base64url") } : {}),
  };
}

/** GET /api/rooms/{id}: the room and what its booking form must show. */
export async function getRoom(
  deps: Pick<BookingDependencies, "rooms" | "policies">,
  roomId: string,
): Promise<RoomView & { policy: RoomPolicySummary }> {
  const room = await deps.rooms.room(lower(roomId));
  if (room === undefined || !room.active) throw new AppError("not-found", "There is no such room.");
  return { ...roomView(room), policy: policySummary(await deps.policies.forRoom(room.id)) };
}

// ------------------------------------------------------------------ admin: policies

type PolicyDeps = Pick<BookingDependencies, "rooms" | "policies" | "now" | "newId">;

async function knownRoomIds(deps: PolicyDeps, ids: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const room = await deps.rooms.room(lower(id));
    if (room === undefined) throw new AppError("not-found", `There is no room ${id.slice(0, 254)}.`);
    out.push(room.id);
  }
  return out;
}

/** GET /api/admin/rooms/{id}/policy: the room's own policy, else the one that governs it. */
export async function getRoomPolicy(
  deps: PolicyDeps,
  roomId: string,
): Promise<BookingPolicy & { own: boolean }> {
  const [id] = await knownRoomIds(deps, [roomId]);
  const own = await deps.policies.roomPolicy(id as string);
  return own !== undefined
    ? { ...own, own: true }
    : { ...(await deps.policies.forRoom(id as string)), own: false };
}

export async function putRoomPolicy(
  deps: PolicyDeps,
  roomId: string,
  rules: PolicyRules,
): Promise<BookingPolicy> {
  const [id] = await knownRoomIds(deps, [roomId]);
  return deps.policies.putRoomPolicy(id as string, rules, deps.now());
}

export function listPolicies(deps: PolicyDeps): Promise<BookingPolicy[]> {
  return deps.policies.listShared();
}

/** POST /api/admin/policies (new id) and PUT /api/admin/policies/{id}: a shared policy and its rooms. */
export async function saveSharedPolicy(
  deps: PolicyDeps,
  id: string | undefined,
  rules: PolicyRules,
  roomIds: readonly string[],
): Promise<BookingPolicy> {
  if (id !== undefined && (await deps.policies.shared(id)) === undefined)
    throw new AppError("not-found", "There is no such policy.");
  const rooms = await knownRoomIds(deps, roomIds);
  return deps.policies.putShared(id ?? deps.newId(), rules, rooms, deps.now());
}

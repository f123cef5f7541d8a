import type { Principal } from "../../domain/auth/principal";
import type { Booking } from "../../domain/bookings/booking";
import type { BookingPolicy } from "../../domain/bookings/policy";
import { AppError, isAppError } from "../../domain/errors";
import type { Room } from "../../domain/rooms/room";
import type { ApprovalEntry, ApprovalIndex } from "../ports/approval-index";
import type { BookingStore } from "../ports/booking-store";
import type { BookingDependencies } from "./dependencies";

const approversOf = (b: Booking): string[] => (b.approval?.approvers ?? []).map((a) => a.email);

/**
 * The booking store with the approval index kept beside it: every booking saved while it awaits
 * approval is recorded for each of its approvers (before the save, so a failed index write changes
 * nothing), and forgotten once it is saved in any other state (after the save, best effort: the list
 * re-checks every booking it shows and drops stale rows). Bookings without an approval cost nothing.
 */
export function withApprovalIndex(
  store: BookingStore,
  index: ApprovalIndex,
  log?: (message: string) => void,
): BookingStore {
  const record = async (b: Booking): Promise<void> => {
    if (b.state === "awaiting-approval") await index.put(b.id, b.start, approversOf(b));
  };
  const forget = async (b: Booking | undefined, removed = false): Promise<void> => {
    if (b?.approval === undefined || (b.state === "awaiting-approval" && !removed)) return;
    try {
      await index.remove(b.id, approversOf(b));
    } catch (error) {
      log?.(
        `approval index row of booking ${b.id} not removed: ${isAppError(error) ? error.code : "unexpected"}`,
      );
    }
  };
  return {
    reserve: (bookingId, rooms, options) => store.reserve(bookingId, rooms, options),
    releaseOccurrences: (bookingId, roomIds, keys) => store.releaseOccurrences(bookingId, roomIds, keys),
    async create(booking) {
      await record(booking);
      const saved = await store.create(booking);
      await forget(booking);
      return saved;
    },
    get: (id) => store.get(id),
    async replace(booking, etag, previous) {
      await record(booking);
      const saved = await store.replace(booking, etag, previous);
      await forget(booking);
      return saved;
    },
    async remove(id) {
      const stored = await store.get(id);
      await store.remove(id);
      await forget(stored?.booking, true);
    },
    listByOrganizer: (organizerEmail, query) => store.listByOrganizer(organizerEmail, query),
    findByICalUId: (iCalUId) => store.findByICalUId(iCalUId),
    roomSlots: (roomId, from, to) => store.roomSlots(roomId, from, to),
    roomVersion: (roomId) => store.roomVersion(roomId),
  };
}

/** One request in "approvals waiting for me": what an approver decides on, privacy applied. */
export interface ApprovalRequestView {
  readonly id: string;
  readonly start: string;
  readonly end: string;
  /** The first room's IANA zone: the times are shown in it. */
  readonly timeZone: string;
  readonly isAllDay: boolean;
  readonly recurring: boolean;
  readonly rooms: readonly { readonly id: string; readonly name: string }[];
  readonly organizer: { readonly email: string; readonly name?: string };
  /** Only when every room's privacy setting shows subjects. */
  readonly subject?: string;
  /** Whether the request holds its slot while it waits. */
  readonly holdsSlot: boolean;
  readonly requestedAt: string;
}

export interface ApprovalsQuery {
  readonly limit: number;
  readonly cursor?: string;
}

export type ApprovalsDependencies = Pick<
  BookingDependencies,
  "store" | "policies" | "rooms" | "now" | "log"
> & {
  readonly approvals: ApprovalIndex;
};

const encodeCursor = (e: ApprovalEntry): string =>
  Buffer.from(`${e.start}:${e.bookingId}`, "utf8").toString("base64url");

function decodeCursor(cursor: string | undefined): ApprovalEntry | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^(\d{1,15}):(.{1,200})$/s.exec(text);
  if (m === null) throw new AppError("validation-failed", "The cursor is not valid.");
  return { start: Number(m[1]), bookingId: m[2] as string };
}

const after = (e: ApprovalEntry, c: ApprovalEntry): boolean =>
  e.start > c.start || (e.start === c.start && e.bookingId > c.bookingId);

/**
 * GET /api/bookings/approvals: the requests awaiting the signed-in person's decision, soonest first,
 * paged by a cursor naming the last one shown. Each is re-read: only bookings still awaiting approval,
 * naming this person as an approver and not yet started are listed; rows of decided, cancelled or
 * removed bookings are dropped from the index on the way.
 */
export async function listAwaitingApproval(
  deps: ApprovalsDependencies,
  principal: Principal,
  query: ApprovalsQuery,
): Promise<{ items: ApprovalRequestView[]; cursor?: string }> {
  const from = decodeCursor(query.cursor);
  const email = principal.email.trim().toLowerCase();
  if (email === "") return { items: [] };
  const now = deps.now().getTime();
  const candidates = (await deps.approvals.list(email)).filter((e) => from === undefined || after(e, from));
  const rooms = new Map<string, Promise<Room | undefined>>();
  const policies = new Map<string, Promise<BookingPolicy>>();
  const roomOf = (id: string) => rooms.get(id) ?? rooms.set(id, deps.rooms.room(id)).get(id);
  const policyOf = (id: string) => policies.get(id) ?? policies.set(id, deps.policies.forRoom(id)).get(id);
  const items: ApprovalRequestView[] = [];
  let examined = 0;
  while (items.length < query.limit && examined < candidates.length) {
    const chunk = candidates.slice(examined, examined + (query.limit - items.length));
    examined += chunk.length;
    const loaded = await Promise.all(chunk.map((e) => deps.store.get(e.bookingId)));
    for (const [i, stored] of loaded.entries()) {
      const b = stored?.booking;
      const mine =
        b !== undefined &&
        b.state === "awaiting-approval" &&
        approversOf(b).some((a) => a.toLowerCase() === email);
      if (!mine) {
        await dropStale(deps, (chunk[i] as ApprovalEntry).bookingId, email);
        continue;
      }
      // A request whose start has passed is expiring (its `expire` command removes it).
      if (b.start <= now) continue;
      items.push(await requestView(b, roomOf, policyOf));
    }
  }
  const last = candidates[examined - 1];
  return {
    items,
    ...(examined < candidates.length && last !== undefined ? { cursor: encodeCursor(last) } : {}),
  };
}

async function dropStale(deps: ApprovalsDependencies, bookingId: string, email: string): Promise<void> {
  try {
    await deps.approvals.remove(bookingId, [email]);
  } catch (error) {
    deps.log?.(
      `stale approval row of booking ${bookingId} kept: ${isAppError(error) ? error.code : "unexpected"}`,
    );
  }
}

async function requestView(
  b: Booking,
  roomOf: (id: string) => Promise<Room | undefined> | undefined,
  policyOf: (id: string) => Promise<BookingPolicy> | undefined,
): Promise<ApprovalRequestView> {
  const [rooms, privacy] = await Promise.all([
    Promise.all(b.roomIds.map(async (id) => ({ id, name: (await roomOf(id))?.displayName ?? id }))),
    Promise.all(b.roomIds.map(async (id) => (await policyOf(id))?.privacy ?? "busy")),
  ]);
  const name = b.organizer.name?.trim();
  return {
    id: b.id,
    start: new Date(b.start).toISOString(),
    end: new Date(b.end).toISOString(),
    timeZone: b.timeZone,
    isAllDay: b.isAllDay,
    recurring: b.recurrence !== undefined,
    rooms,
    organizer: { email: b.organizer.email, ...(name === undefined || name === "" ? {} : { name }) },
    ...(privacy.every((p) => p === "subject") ? { subject: b.subject } : {}),
    holdsSlot: Object.keys(b.reserved).length > 0,
    requestedAt: b.createdAt,
  };
}

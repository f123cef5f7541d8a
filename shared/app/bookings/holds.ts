import type { Principal } from "../../domain/auth/principal";
import { holdView, lapsed, type Hold, type HoldView, type NewHoldInput } from "../../domain/bookings/hold";
import { policyRefused } from "../../domain/bookings/evaluate";
import { AppError, isAppError } from "../../domain/errors";
import { requireCapability } from "../../domain/integration/capabilities";
import type { HoldClaim, HoldClaims } from "../ports/hold-claims";
import type { HoldStore } from "../ports/hold-store";
import type { OrganizerEventTags } from "../ports/organizer-event-tags";
import { checkPolicies } from "./create-booking";
import { bookableRooms, integrationMode, type BookingDependencies } from "./dependencies";
import { publishRoomSchedules } from "./room-schedule";

export interface HoldDependencies extends BookingDependencies {
  readonly holds: HoldStore;
  /** How long an unclaimed hold keeps its slot. */
  readonly holdMinutes: number;
}

/**
 * The Outlook meeting form cannot collect ONES's own form fields or terms of use; the add-in says so,
 * and the booking made from the sent meeting is not refused for them either.
 */
const notAskedInOutlook = new Set(["terms-of-use", "form-field"]);

const notFound = (): AppError => new AppError("not-found", "There is no such hold.");

/**
 * POST /api/bookings/holds: checks the room's policy for the signed-in organizer (422 naming the rule),
 * that the room seats everyone (422 `capacity`), and reserves the slot under a fresh reservation id
 * (409 naming the conflicting time when the room is busy). The hold lapses after `holdMinutes`.
 */
export async function createHold(
  deps: HoldDependencies,
  principal: Principal,
  input: NewHoldInput,
): Promise<HoldView> {
  // A hold is not a ONES booking: Outlook makes the booking when the meeting is sent, so a hold is
  // available wherever Outlook bookings reach ONES (every mode), the rules applying as to them.
  const mode = await integrationMode(deps);
  requireCapability(mode, "outlook-bookings-reflected");
  if (principal.email === "")
    throw new AppError(
      "validation-failed",
      "Your account has no e-mail address, so ONES cannot hold a room.",
    );
  const [room] = await bookableRooms(deps, [input.roomId]);
  if (room === undefined) throw new AppError("not-found", "There is no such room.");
  if (room.capacity !== null && input.attendeeCount > room.capacity)
    throw new AppError(
      "policy-refused",
      `The room seats ${room.capacity}; the meeting has ${input.attendeeCount} people.`,
      { extensions: { rule: "capacity", limit: room.capacity } },
    );
  const organizer = { userId: principal.userId, email: principal.email.toLowerCase(), name: principal.name };
  const slot = { key: new Date(input.start).toISOString(), start: input.start, end: input.end };
  const { policies, refusals } = await checkPolicies(deps, [room], {
    occurrences: [slot],
    recurring: false,
    isAllDay: false,
    requester: principal,
    organizer,
    onBehalf: false,
    termsAccepted: false,
    fields: {},
  });
  const refused = refusals.filter((r) => !notAskedInOutlook.has(r.rule));
  if (refused.length > 0) throw policyRefused(refused);
  const policy = policies[0];
  const now = deps.now();
  const hold: Hold = {
    id: deps.newId(),
    roomId: room.id,
    start: input.start,
    end: input.end,
    attendeeCount: input.attendeeCount,
    organizerEmail: organizer.email,
    organizerUserId: principal.userId,
    reservationId: deps.newId(),
    policyId: policy?.id ?? "default",
    approvalRequired: policy?.approval.required ?? false,
    ...(policy?.approval.required === true
      ? { approval: { holdSlot: policy.approval.holdSlot, approvers: policy.approval.approvers } }
      : {}),
    expiresAt: now.getTime() + deps.holdMinutes * 60_000,
    createdAt: now.toISOString(),
  };
  await deps.store.reserve(hold.reservationId, [{ roomId: room.id, slots: [slot] }]);
  try {
    await deps.holds.create(hold);
  } catch (error) {
    await freeSlot(deps, hold);
    throw error;
  }
  deps.log?.(`hold ${hold.id} on room ${room.id} until ${new Date(hold.expiresAt).toISOString()}`);
  await publishRoomSchedules(deps, [room.id]);
  return holdView(hold);
}

/** The caller's live hold; a lapsed one is freed on the way (lazy expiry) and is a 404. */
async function ownHold(
  deps: HoldDependencies,
  principal: Principal,
  id: string,
): Promise<{ hold: Hold; etag: string }> {
  const found = await deps.holds.get(id);
  if (found === undefined || found.hold.organizerUserId !== principal.userId) throw notFound();
  if (lapsed(found.hold, deps.now().getTime())) {
    await release(deps, found.hold, found.etag);
    throw notFound();
  }
  return found;
}

/** PATCH /api/bookings/holds/{id}: records the saved Outlook item's id on the hold. */
export async function attachHoldItem(
  deps: HoldDependencies,
  principal: Principal,
  id: string,
  itemId: string,
): Promise<HoldView> {
  const { hold, etag } = await ownHold(deps, principal, id);
  const next: Hold = { ...hold, itemId };
  await deps.holds.replace(next, etag);
  return holdView(next);
}

/** DELETE /api/bookings/holds/{id}: gives the slot back (a claimed hold's slot is the booking's). */
export async function releaseHold(deps: HoldDependencies, principal: Principal, id: string): Promise<void> {
  const { hold, etag } = await ownHold(deps, principal, id);
  if (hold.claimedAt !== undefined)
    throw new AppError("conflict", "The meeting was sent: cancel the booking instead.");
  await release(deps, hold, etag);
}

async function freeSlot(deps: HoldDependencies, hold: Hold): Promise<void> {
  await deps.store.reserve(hold.reservationId, [{ roomId: hold.roomId, slots: [] }], { force: true });
}

/** Removes the hold (if still at `etag`), then frees its slot. */
async function release(deps: HoldDependencies, hold: Hold, etag: string): Promise<boolean> {
  if (!(await deps.holds.remove(hold.id, etag))) return false;
  await freeSlot(deps, hold);
  await publishRoomSchedules(deps, [hold.roomId]);
  return true;
}

/**
 * The `holds-expire` timer: frees the slot of every hold that lapsed unclaimed (returns how many), and
 * forgets claimed holds whose meeting is over.
 */
export async function expireHolds(deps: HoldDependencies): Promise<number> {
  const now = deps.now().getTime();
  let freed = 0;
  for (const { hold, etag } of await deps.holds.list()) {
    // A claimed hold's slot is its booking's: only the record goes, once the meeting is over.
    if (hold.claimedAt !== undefined && hold.end < now) await deps.holds.remove(hold.id, etag);
    if (!lapsed(hold, now)) continue;
    try {
      if (await release(deps, hold, etag)) freed++;
    } catch (error) {
      if (!isAppError(error)) throw error;
      deps.log?.(`hold ${hold.id} not freed: ${error.code}`);
    }
  }
  return freed;
}

/** What claiming needs: the holds, the clock, and where the mode allows it the organizer's events. */
export interface ClaimDependencies extends Pick<HoldDependencies, "holds" | "now" | "log"> {
  /** Undefined where the integration's mode cannot read the organizer's calendar. */
  readonly tags: () => Promise<OrganizerEventTags | undefined>;
}

/**
 * HoldClaims: the hold for a meeting sent from Outlook. A hold already matched to this `iCalUId` is
 * found again (the processing may see the event twice, or two consumers at once). Otherwise, where the
 * mode can read the organizer's calendar, the hold whose id the organizer's event carries as the
 * add-in's tag (the meeting may have been moved since the hold); else the organizer's oldest unclaimed
 * hold on the room for exactly this time, preferring one whose item was saved. Claiming keeps the slot
 * (the hold stops lapsing) and hands over the reservation id as the booking's id. The hold's policy
 * result and approval stand when the meeting kept the hold's time; a moved meeting is checked afresh.
 */
export async function claimHold(
  deps: ClaimDependencies,
  request: Parameters<HoldClaims["claim"]>[0],
): Promise<Awaited<ReturnType<HoldClaims["claim"]>>> {
  const roomId = request.roomId.toLowerCase();
  const organizer = request.organizerEmail.toLowerCase();
  const all = await deps.holds.list();
  const answer = (h: Hold): HoldClaim => {
    const sameTime = h.start === request.start && h.end === request.end;
    // Holds stored before approvals were recorded on them are checked afresh.
    const checked = sameTime && (!h.approvalRequired || h.approval !== undefined);
    return {
      holdId: h.id,
      bookingId: h.reservationId,
      policyId: h.policyId,
      policyChecked: checked,
      ...(checked && h.approval !== undefined ? { approval: h.approval } : {}),
    };
  };
  const sameEvent = (h: Hold | undefined): boolean =>
    request.iCalUId !== undefined && h?.claimedICalUId === request.iCalUId;
  const again = all.find((x) => sameEvent(x.hold));
  if (again !== undefined) return answer(again.hold);
  const open = all.filter(
    ({ hold: h }) => h.claimedAt === undefined && h.roomId === roomId && h.organizerEmail === organizer,
  );
  if (open.length === 0) return undefined;
  const tagged =
    request.iCalUId === undefined ? undefined : await taggedHoldId(deps, organizer, request.iCalUId);
  const candidates =
    tagged !== undefined && open.some((x) => x.hold.id === tagged)
      ? open.filter((x) => x.hold.id === tagged)
      : open
          .filter(({ hold: h }) => h.start === request.start && h.end === request.end)
          .sort(
            (a, b) =>
              Number(b.hold.itemId !== undefined) - Number(a.hold.itemId !== undefined) ||
              a.hold.createdAt.localeCompare(b.hold.createdAt),
          );
  const now = deps.now();
  for (const { hold, etag } of candidates) {
    const claimed: Hold = {
      ...hold,
      claimedAt: now.toISOString(),
      ...(request.iCalUId === undefined ? {} : { claimedICalUId: request.iCalUId }),
    };
    try {
      await deps.holds.replace(claimed, etag);
      deps.log?.(`hold ${hold.id} claimed${tagged === hold.id ? " by its tag" : ""}`);
      return answer(claimed);
    } catch (error) {
      if (!isAppError(error) || (error.code !== "precondition-failed" && error.code !== "not-found"))
        throw error;
      // Claimed for this very event by a concurrent read of the room: the same answer.
      const fresh = await deps.holds.get(hold.id);
      if (fresh !== undefined && sameEvent(fresh.hold)) return answer(fresh.hold);
      // Freed, or claimed for another meeting, meanwhile: try the next one.
    }
  }
  return undefined;
}

/** The hold id on the organizer's event, when the mode can read it; a Graph failure falls back. */
async function taggedHoldId(
  deps: ClaimDependencies,
  organizer: string,
  iCalUId: string,
): Promise<string | undefined> {
  try {
    const tags = await deps.tags();
    return await tags?.holdIdOf(organizer, iCalUId);
  } catch (error) {
    deps.log?.(`hold tag not read: ${isAppError(error) ? error.code : "unexpected"}`);
    return undefined;
  }
}

import type { Principal } from "../../domain/auth/principal";
import {
  isFinal,
  occurrenceKey,
  type Booking,
  type BookingEdit,
  type BookingView,
} from "../../domain/bookings/booking";
import { cutoffRefusal, policyRefused } from "../../domain/bookings/evaluate";
import {
  oweAllOccurrences,
  oweOccurrence,
  settleAllOccurrences,
} from "../../domain/bookings/owed-occurrences";
import type { Slot } from "../../domain/bookings/slots";
import { AppError, isAppError } from "../../domain/errors";
import { hasCapability, requireCapability } from "../../domain/integration/capabilities";
import { enqueueOccurrenceCommand } from "./booking-commands";
import { checkPolicies, occurrencesOf } from "./create-booking";
import {
  bookableRooms,
  enqueueCommand,
  integrationMode,
  isApprover,
  isOwner,
  mutateBooking,
  view,
  type BookingDependencies,
} from "./dependencies";
import { publishRoomSchedules } from "./room-schedule";

const hidden = (): AppError => new AppError("not-found", "There is no such booking.");

/** The booking if `principal` may see it (owner, admin or one of its approvers); else not-found. */
async function visibleBooking(
  deps: BookingDependencies,
  principal: Principal,
  id: string,
): Promise<{ booking: Booking; etag: string }> {
  const stored = await deps.store.get(id);
  if (stored === undefined) throw hidden();
  const b = stored.booking;
  const approver = (b.approval?.approvers ?? []).some(
    (a) => a.email.toLowerCase() === principal.email.toLowerCase(),
  );
  if (!isOwner(b, principal) && !principal.isAdmin && !(approver && principal.email !== "")) throw hidden();
  return stored;
}

/** The booking if `principal` may change it (owner or admin); others' bookings look absent. */
async function ownedBooking(deps: BookingDependencies, principal: Principal, id: string): Promise<Booking> {
  const { booking } = await visibleBooking(deps, principal, id);
  if (!isOwner(booking, principal) && !principal.isAdmin)
    throw new AppError("forbidden", "Only the organizer or an admin may change this booking.");
  if (isFinal(booking.state))
    throw new AppError("conflict", `The booking is ${booking.state}; it cannot change any more.`);
  return booking;
}

export async function getBooking(
  deps: BookingDependencies,
  principal: Principal,
  id: string,
): Promise<BookingView> {
  return view((await visibleBooking(deps, principal, id)).booking);
}

export interface BookingListQuery {
  readonly from?: number;
  readonly to?: number;
  readonly limit: number;
  readonly cursor?: string;
}

/** GET /api/bookings?mine=true: the bookings the person organizes, soonest first, paged. */
export async function listMyBookings(
  deps: BookingDependencies,
  principal: Principal,
  query: BookingListQuery,
): Promise<{ items: BookingView[]; cursor?: string }> {
  if (principal.email === "") return { items: [] };
  const page = await deps.store.listByOrganizer(principal.email, query);
  return { items: page.items.map(view), ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
}

/** The cut-off rule of the rooms' policies, where the mode has it (application mode only). */
async function checkCutoff(
  deps: BookingDependencies,
  b: Booking,
  kind: "edit" | "cancel",
  start: number,
): Promise<void> {
  if (!hasCapability(await integrationMode(deps), "edit-delete-restriction")) return;
  const policies = await Promise.all(b.roomIds.map((r) => deps.policies.forRoom(r)));
  const refusals = policies.flatMap((p) => {
    const r = cutoffRefusal(p, kind, start, deps.now().getTime());
    return r === undefined ? [] : [r];
  });
  if (refusals.length > 0) throw policyRefused(refusals);
}

/** A whole-series edit applied to a booking (what it does not name stays as it is). */
function applySeriesEdit(b: Booking, edit: BookingEdit): Booking {
  return {
    ...b,
    ...(edit.start === undefined || edit.end === undefined ? {} : { start: edit.start, end: edit.end }),
    ...(edit.subject === undefined ? {} : { subject: edit.subject }),
    ...(edit.body === undefined ? {} : { body: edit.body }),
    ...(edit.attendees === undefined ? {} : { attendees: edit.attendees }),
    ...(edit.isOnlineMeeting === undefined ? {} : { isOnlineMeeting: edit.isOnlineMeeting }),
  };
}

/** The booking with occurrence `key` moved to `to` (a move of a moved occurrence replaces it). */
function withMovedOccurrence(b: Booking, key: string, to: { start: number; end: number }): Booking {
  const moved = [...b.exceptions.moved.filter((m) => m.key !== key), { key, start: to.start, end: to.end }];
  return { ...b, exceptions: { ...b.exceptions, moved } };
}

/** The booking with occurrence `key` cancelled. */
function withCancelledOccurrence(b: Booking, key: string): Booking {
  return { ...b, exceptions: { ...b.exceptions, cancelled: [...new Set([...b.exceptions.cancelled, key])] } };
}

const slotText = (s: Slot): string => `${s.key}|${s.start}|${s.end}`;

/**
 * Makes the rooms' reservation of the booking what its stored document says it holds, when that is
 * not `reserved` (what this request reserved before saving): after a save that merged a change made
 * meanwhile (an occurrence cancelled: those slots are released), or after a refused save (the document
 * as it is now, checked against the room: a cancelled booking holds nothing).
 */
async function holdStoredSlots(
  deps: BookingDependencies,
  id: string,
  saved: Booking | undefined,
  reserved: readonly Slot[],
): Promise<void> {
  const b = saved ?? (await deps.store.get(id))?.booking;
  if (b === undefined) return;
  const wanted = new Set(reserved.map(slotText));
  const stored = b.roomIds.map((r) => b.reserved[r] ?? []);
  if (stored.every((slots) => slots.every((x) => wanted.has(slotText(x))))) {
    // Only less than this request reserved: release the rest, nothing else is touched.
    const kept = new Set(stored.flat().map(slotText));
    const gone = reserved.filter((x) => !kept.has(slotText(x))).map((x) => x.key);
    if (gone.length > 0) await deps.store.releaseOccurrences(b.id, b.roomIds, gone);
    return;
  }
  try {
    // Checked like any reservation: a slot given up meanwhile and taken by someone else stays theirs.
    await deps.store.reserve(
      b.id,
      b.roomIds.map((roomId) => ({ roomId, slots: b.reserved[roomId] ?? [] })),
    );
  } catch (error) {
    if (!isAppError(error) || error.code !== "conflict") throw error;
    deps.log?.(`booking ${b.id}: reservation not put back to the stored slots (a slot was taken meanwhile)`);
  }
}

/**
 * Queues what an occurrence change needs: its own command, or, while an edit of the whole series is
 * still owed, that write again for the new version (the queued one is stale now); the write queues
 * the occurrence changes once the series is written.
 */
async function enqueueOccurrenceChange(deps: BookingDependencies, b: Booking, key: string): Promise<void> {
  if (b.calendarOwed === "write")
    await enqueueCommand(deps, { command: "write", bookingId: b.id, version: b.version });
  else await enqueueOccurrenceCommand(deps, b, key);
}

/** The booking `b` changed as `change` says, applied to the stored booking as it is now. */
async function saveChange(
  deps: BookingDependencies,
  b: Booking,
  change: (current: Booking) => Booking,
): Promise<Booking> {
  const saved = await mutateBooking(deps, b.id, (current) => {
    if (isFinal(current.state))
      throw new AppError("conflict", `The booking is ${current.state}; it cannot change any more.`);
    return change(current);
  });
  if (saved === undefined) throw hidden();
  return saved.booking;
}

/**
 * PATCH /api/bookings/{id}: changes the whole booking (time, subject, body, attendees, Teams), or moves
 * one occurrence of a series (`occurrence` = its key). A new time is checked against the policies and
 * reserved atomically (409 on a conflict, nothing changed); the calendar is updated by the consumer.
 * The change is saved with what Microsoft 365 is owed for it (`calendarOwed: "write"` for the series,
 * an `occurrencesOwed` entry for one occurrence), so the recovery sweep completes it if the command
 * is lost; it is applied to the booking as stored at the time of the save, so a change saved meanwhile
 * (an occurrence cancelled while the series is edited) is kept.
 */
export async function editBooking(
  deps: BookingDependencies,
  principal: Principal,
  id: string,
  edit: BookingEdit,
): Promise<BookingView> {
  requireCapability(await integrationMode(deps), "create-booking");
  const b = await ownedBooking(deps, principal, id);
  const key = edit.occurrence === undefined ? undefined : occurrenceKey(edit.occurrence);
  let next: Booking;
  let movedTo = { start: 0, end: 0 };
  if (key !== undefined) {
    const current = occurrencesOf(b).find((s) => s.key === key);
    if (b.recurrence === undefined || current === undefined)
      throw new AppError("not-found", "The booking has no such occurrence.");
    if (edit.start === undefined || edit.end === undefined)
      throw new AppError("validation-failed", "Give the occurrence's new start and end.");
    await checkCutoff(deps, b, "edit", current.start);
    movedTo = { start: edit.start, end: edit.end };
    next = withMovedOccurrence(b, key, movedTo);
  } else {
    await checkCutoff(deps, b, "edit", b.start);
    next = applySeriesEdit(b, edit);
  }
  const timeChanged = next.start !== b.start || next.end !== b.end || next.exceptions !== b.exceptions;
  const newSlots = occurrencesOf(next);
  if (timeChanged) {
    const rooms = await bookableRooms(deps, b.roomIds);
    const { refusals } = await checkPolicies(deps, rooms, {
      occurrences: key === undefined ? newSlots : newSlots.filter((s) => s.key === key),
      recurring: b.recurrence !== undefined,
      isAllDay: b.isAllDay,
      requester: principal,
      organizer: b.organizer,
      onBehalf: false,
      termsAccepted: true,
      fields: b.fields,
      except: b.id,
    });
    // Rules about who books and the form were checked when it was made.
    const relevant = refusals.filter(
      (r) => !["who-may-book", "book-for-others", "terms-of-use", "form-field"].includes(r.rule),
    );
    if (relevant.length > 0) throw policyRefused(relevant);
  }
  const holds = Object.keys(b.reserved).length > 0;
  if (timeChanged && holds)
    await deps.store.reserve(
      b.id,
      b.roomIds.map((roomId) => ({ roomId, slots: newSlots })),
    );
  let nb: Booking | undefined;
  try {
    nb = await saveChange(deps, b, (current) => {
      const live = current.state === "confirmed" || current.state === "pending";
      const version = current.version + 1;
      let changed: Booking;
      if (key === undefined) {
        changed = applySeriesEdit(current, edit);
        // The write is owed until the consumer has made it: a worker dying before the command is
        // queued leaves the mark, and the recovery sweep queues the write again. The series' own
        // occurrence changes are owed again after it (the write may make Exchange drop them).
        if (live) changed = oweAllOccurrences({ ...changed, calendarOwed: "write" }, version);
      } else {
        if (!occurrencesOf(current).some((s) => s.key === key))
          throw new AppError("conflict", "The series changed meanwhile; it has no such occurrence any more.");
        changed = withMovedOccurrence(current, key, movedTo);
        if (current.calendar !== undefined) changed = oweOccurrence(changed, key, version);
      }
      const slots = occurrencesOf(changed);
      return {
        ...changed,
        state: current.state === "confirmed" ? "pending" : current.state,
        reserved: holds ? Object.fromEntries(current.roomIds.map((r) => [r, slots])) : {},
        version,
        updatedAt: deps.now().toISOString(),
      };
    });
  } finally {
    // What the rooms hold follows the stored booking: a refused save gives back what was reserved, a
    // save that merged a change made meanwhile holds the merged slots.
    if (timeChanged && holds) await holdStoredSlots(deps, id, nb, newSlots);
  }
  if (nb.state === "pending") {
    if (key === undefined) {
      await enqueueCommand(deps, { command: "write", bookingId: id, version: nb.version });
    } else {
      await enqueueOccurrenceChange(deps, nb, key);
      await enqueueCommand(deps, { command: "refresh", bookingId: id, version: nb.version, poll: 1 });
    }
  }
  if (timeChanged) await publishRoomSchedules(deps, nb.roomIds);
  return view(nb);
}

/**
 * DELETE /api/bookings/{id} (optionally `?occurrence=`): cancels the whole booking or one occurrence.
 * The slots are freed at once; the organizer's event is cancelled by the consumer (the room frees and
 * attendees are told). The booking is kept as `cancelled`, marked as owing the calendar its cancel.
 * One occurrence: the cancel is saved first, with its `occurrencesOwed` entry, and the occurrence's
 * slot freed after (a worker dying in between leaves the slot held a little longer, never the room
 * free while the occurrence still stands in Exchange); the sweep completes what is owed.
 */
export async function cancelBooking(
  deps: BookingDependencies,
  principal: Principal,
  id: string,
  occurrence?: string,
): Promise<BookingView> {
  const b = await ownedBooking(deps, principal, id);
  if (occurrence !== undefined) {
    const key = occurrenceKey(occurrence);
    const target = occurrencesOf(b).find((s) => s.key === key);
    if (b.recurrence === undefined || target === undefined)
      throw new AppError("not-found", "The booking has no such occurrence.");
    await checkCutoff(deps, b, "cancel", target.start);
    const nb = await saveChange(deps, b, (current) => {
      if (!occurrencesOf(current).some((s) => s.key === key))
        throw new AppError("conflict", "The series changed meanwhile; it has no such occurrence any more.");
      const version = current.version + 1;
      let changed = withCancelledOccurrence(current, key);
      if (current.calendar !== undefined) changed = oweOccurrence(changed, key, version);
      const slots = occurrencesOf(changed);
      return {
        ...changed,
        reserved:
          Object.keys(current.reserved).length > 0
            ? Object.fromEntries(current.roomIds.map((r) => [r, slots]))
            : {},
        version,
        updatedAt: deps.now().toISOString(),
      };
    });
    // After the save: a worker dying in between leaves the slot held until the sweep, never free
    // while the booking still lists the occurrence.
    if (Object.keys(nb.reserved).length > 0) await deps.store.releaseOccurrences(nb.id, nb.roomIds, [key]);
    if (nb.state !== "awaiting-approval") await enqueueOccurrenceChange(deps, nb, key);
    await publishRoomSchedules(deps, nb.roomIds);
    return view(nb);
  }
  await checkCutoff(deps, b, "cancel", b.start);
  await deps.store.reserve(
    b.id,
    b.roomIds.map((roomId) => ({ roomId, slots: [] })),
    { force: true },
  );
  const saved = await mutateBooking(deps, id, (current) =>
    current.state === "cancelled"
      ? undefined
      : {
          // The series' cancel covers every occurrence change still owed.
          ...settleAllOccurrences(current),
          state: "cancelled",
          // Saved with the state: the cancel is owed until the consumer has cancelled the event, so a
          // worker dying before the command is queued leaves it to the recovery sweep, never lost.
          ...(current.calendar === undefined ? {} : { calendarOwed: "cancel" as const }),
          reserved: {},
          version: current.version + 1,
          updatedAt: deps.now().toISOString(),
        },
  );
  if (saved === undefined) throw hidden();
  await enqueueCommand(deps, { command: "cancel", bookingId: id, version: saved.booking.version });
  await publishRoomSchedules(deps, b.roomIds);
  return view(saved.booking);
}

/** Whether `principal` approves for this booking (one of the approvers its policies name). */
export async function mayApprove(
  deps: BookingDependencies,
  principal: Principal,
  b: Booking,
): Promise<boolean> {
  const policies = await Promise.all(b.roomIds.map((r) => deps.policies.forRoom(r)));
  return (
    isApprover(policies, principal.email) ||
    (b.approval?.approvers ?? []).some((a) => a.email.toLowerCase() === principal.email.toLowerCase())
  );
}

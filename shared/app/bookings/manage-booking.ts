import type { Principal } from "../../domain/auth/principal";
import {
  isFinal,
  occurrenceKey,
  type Booking,
  type BookingEdit,
  type BookingView,
} from "../../domain/bookings/booking";
import { cutoffRefusal, policyRefused } from "../../domain/bookings/evaluate";
import { AppError } from "../../domain/errors";
import { hasCapability, requireCapability } from "../../domain/integration/capabilities";
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

/**
 * PATCH /api/bookings/{id}: changes the whole booking (time, subject, body, attendees, Teams), or moves
 * one occurrence of a series (`occurrence` = its key). A new time is checked against the policies and
 * reserved atomically (409 on a conflict, nothing changed); the calendar is updated by the consumer.
 */
export async function editBooking(
  deps: BookingDependencies,
  principal: Principal,
  id: string,
  edit: BookingEdit,
): Promise<BookingView> {
  requireCapability(await integrationMode(deps), "create-booking");
  const b = await ownedBooking(deps, principal, id);
  const occurrences = occurrencesOf(b);
  let next: Booking;
  if (edit.occurrence !== undefined) {
    const key = occurrenceKey(edit.occurrence);
    const current = occurrences.find((s) => s.key === key);
    if (b.recurrence === undefined || current === undefined)
      throw new AppError("not-found", "The booking has no such occurrence.");
    if (edit.start === undefined || edit.end === undefined)
      throw new AppError("validation-failed", "Give the occurrence's new start and end.");
    await checkCutoff(deps, b, "edit", current.start);
    const moved = [
      ...b.exceptions.moved.filter((m) => m.key !== key),
      { key, start: edit.start, end: edit.end },
    ];
    next = { ...b, exceptions: { ...b.exceptions, moved } };
  } else {
    await checkCutoff(deps, b, "edit", b.start);
    next = {
      ...b,
      ...(edit.start === undefined || edit.end === undefined ? {} : { start: edit.start, end: edit.end }),
      ...(edit.subject === undefined ? {} : { subject: edit.subject }),
      ...(edit.body === undefined ? {} : { body: edit.body }),
      ...(edit.attendees === undefined ? {} : { attendees: edit.attendees }),
      ...(edit.isOnlineMeeting === undefined ? {} : { isOnlineMeeting: edit.isOnlineMeeting }),
    };
  }
  const timeChanged = next.start !== b.start || next.end !== b.end || next.exceptions !== b.exceptions;
  const newSlots = occurrencesOf(next);
  if (timeChanged) {
    const rooms = await bookableRooms(deps, b.roomIds);
    const { refusals } = await checkPolicies(deps, rooms, {
      occurrences:
        edit.occurrence === undefined
          ? newSlots
          : newSlots.filter((s) => s.key === occurrenceKey(edit.occurrence as string)),
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
  const edited = (current: Booking): Booking => ({
    ...current,
    ...next,
    calendar: current.calendar ?? next.calendar,
    state: current.state === "confirmed" ? "pending" : current.state,
    // The write is owed until the consumer has made it: a worker dying before the command is queued
    // leaves the mark, and the recovery sweep queues the write again.
    ...(edit.occurrence === undefined && (current.state === "confirmed" || current.state === "pending")
      ? { calendarOwed: "write" as const }
      : {}),
    reserved: holds ? Object.fromEntries(b.roomIds.map((r) => [r, newSlots])) : {},
    version: current.version + 1,
    updatedAt: deps.now().toISOString(),
  });
  // The edit was checked and reserved against the booking as read: one that changed meanwhile (cancelled,
  // or edited by another request) is not overwritten with it.
  let overtaken = false;
  const saved = await mutateBooking(deps, id, (current) => {
    overtaken = current.version !== b.version;
    return overtaken ? undefined : edited(current);
  });
  if (saved === undefined) throw hidden();
  if (overtaken) {
    // The room gets back the slots the booking holds now.
    if (timeChanged && holds)
      await deps.store.reserve(
        b.id,
        b.roomIds.map((roomId) => ({ roomId, slots: saved.booking.reserved[roomId] ?? [] })),
        { force: true },
      );
    throw new AppError("conflict", "The booking changed meanwhile; read it again.");
  }
  const nb = saved.booking;
  if (nb.state === "pending") {
    await enqueueCommand(
      deps,
      edit.occurrence === undefined
        ? { command: "write", bookingId: id, version: nb.version }
        : {
            command: "move-occurrence",
            bookingId: id,
            version: nb.version,
            occurrence: occurrenceKey(edit.occurrence),
          },
    );
    if (edit.occurrence !== undefined)
      await enqueueCommand(deps, { command: "refresh", bookingId: id, version: nb.version, poll: 1 });
  }
  if (timeChanged) await publishRoomSchedules(deps, nb.roomIds);
  return view(nb);
}

/**
 * DELETE /api/bookings/{id} (optionally `?occurrence=`): cancels the whole booking or one occurrence.
 * The slots are freed at once; the organizer's event is cancelled by the consumer (the room frees and
 * attendees are told). The booking is kept as `cancelled`, marked as owing the calendar its cancel.
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
    const slots = occurrencesOf(b);
    const target = slots.find((s) => s.key === key);
    if (b.recurrence === undefined || target === undefined)
      throw new AppError("not-found", "The booking has no such occurrence.");
    await checkCutoff(deps, b, "cancel", target.start);
    const remaining = slots.filter((s) => s.key !== key);
    if (Object.keys(b.reserved).length > 0)
      await deps.store.reserve(
        b.id,
        b.roomIds.map((roomId) => ({ roomId, slots: remaining })),
        { force: true },
      );
    const saved = await mutateBooking(deps, id, (current) => ({
      ...current,
      exceptions: { ...current.exceptions, cancelled: [...new Set([...current.exceptions.cancelled, key])] },
      reserved:
        Object.keys(current.reserved).length > 0
          ? Object.fromEntries(current.roomIds.map((r) => [r, remaining]))
          : {},
      version: current.version + 1,
      updatedAt: deps.now().toISOString(),
    }));
    if (saved === undefined) throw hidden();
    await enqueueCommand(deps, {
      command: "cancel-occurrence",
      bookingId: id,
      version: saved.booking.version,
      occurrence: key,
    });
    await publishRoomSchedules(deps, b.roomIds);
    return view(saved.booking);
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
          ...current,
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

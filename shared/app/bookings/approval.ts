import type { Principal } from "../../domain/auth/principal";
import type { Booking, BookingView } from "../../domain/bookings/booking";
import { AppError } from "../../domain/errors";
import { sendMail } from "../send-mail";
import { endBooking } from "./booking-commands";
import { occurrencesOf } from "./create-booking";
import {
  enqueueCommand,
  integrationMode,
  mailBooking,
  mutateBooking,
  view,
  type BookingDependencies,
} from "./dependencies";
import { mayApprove } from "./manage-booking";
import { publishRoomSchedules } from "./room-schedule";

async function awaitingBooking(deps: BookingDependencies, principal: Principal, id: string) {
  const stored = await deps.store.get(id);
  if (stored === undefined) throw new AppError("not-found", "There is no such booking.");
  const b = stored.booking;
  if (!(await mayApprove(deps, principal, b))) {
    // An approver of other rooms, or nobody: the request is not theirs to see.
    throw new AppError("not-found", "There is no such booking.");
  }
  if (b.state !== "awaiting-approval")
    throw new AppError("conflict", `The booking is ${b.state}, not awaiting approval.`);
  if (b.start <= deps.now().getTime()) {
    await endBooking(deps, b, "expired", "Nobody approved the request before it started.", {
      kind: "policy",
      rule: "approval: not decided before the start",
    });
    throw new AppError("conflict", "The request expired at its start time.");
  }
  return b;
}

const decider = (p: Principal) => ({ userId: p.userId, email: p.email, name: p.name });
const deciderName = (p: Principal): string => (p.name.trim() === "" ? p.email || "An approver" : p.name);

/**
 * POST /api/bookings/{id}/approve: the request goes ahead. A request that did not hold its slot
 * reserves it now (409 when it was taken meanwhile: the request stays awaiting a decision); the calendar
 * write is queued and the organizer mailed.
 */
export async function approveBooking(
  deps: BookingDependencies,
  principal: Principal,
  id: string,
): Promise<BookingView> {
  const b = await awaitingBooking(deps, principal, id);
  // An Outlook booking is in Exchange already: approved, it is confirmed (nothing to write).
  const outlook = b.source === "outlook";
  const slots = occurrencesOf(b);
  const held = Object.keys(b.reserved).length > 0;
  if (!held)
    await deps.store.reserve(
      b.id,
      b.roomIds.map((roomId) => ({ roomId, slots })),
      { force: outlook },
    );
  const saved = await mutateBooking(deps, id, (current) =>
    current.state !== "awaiting-approval"
      ? undefined
      : {
          ...current,
          state: outlook ? "confirmed" : "pending",
          reserved: Object.fromEntries(current.roomIds.map((r) => [r, slots])),
          approval: {
            ...(current.approval ?? { holdSlot: true, approvers: [] }),
            decidedBy: decider(principal),
            decidedAt: deps.now().toISOString(),
          },
          version: current.version + 1,
          updatedAt: deps.now().toISOString(),
        },
  );
  if (saved === undefined || saved.booking.state !== (outlook ? "confirmed" : "pending"))
    throw new AppError("conflict", "The booking changed meanwhile.");
  const nb = saved.booking;
  if (!outlook) await enqueueCommand(deps, { command: "write", bookingId: id, version: nb.version });
  const room = await deps.rooms.room(nb.roomIds[0] ?? "");
  await sendMail(deps, {
    key: `approval-decided:${id}`,
    to: [{ email: nb.organizer.email }],
    template: {
      kind: "approval-decided",
      booking: mailBooking(nb, room),
      decision: "approved",
      decidedBy: deciderName(principal),
    },
  });
  if (!held) await publishRoomSchedules(deps, nb.roomIds);
  return view(nb);
}

/** POST /api/bookings/{id}/reject `{ reason }`: the request ends `rejected`, its slots freed, the organizer mailed. */
export async function rejectBooking(
  deps: BookingDependencies,
  principal: Principal,
  id: string,
  reason: string,
): Promise<BookingView> {
  const b = await awaitingBooking(deps, principal, id);
  const withDecision = {
    ...b,
    approval: {
      ...(b.approval ?? { holdSlot: true, approvers: [] }),
      decidedBy: decider(principal),
      decidedAt: deps.now().toISOString(),
      reason,
    },
  };
  await mutateBooking(deps, id, (current) =>
    current.state !== "awaiting-approval" ? undefined : { ...current, approval: withDecision.approval },
  );
  await endBooking(deps, withDecision, "rejected", reason, {
    kind: "approval",
    decidedBy: deciderName(principal),
    comment: reason,
  });
  await declineInExchange(deps, b, reason);
  const after = await deps.store.get(id);
  return view(after?.booking ?? withDecision);
}

/**
 * A rejected Outlook booking is declined on the room's behalf where the mode lets ONES answer for rooms
 * (the application modes); elsewhere the rejection stays in ONES and the organizer's mail.
 */
async function declineInExchange(deps: BookingDependencies, b: Booking, reason: string): Promise<void> {
  const eventId = b.calendar?.eventId;
  if (b.source !== "outlook" || eventId === undefined || deps.declineRoomEvent === undefined) return;
  const mode = await integrationMode(deps);
  if (mode !== "application" && mode !== "application-resource-only") return;
  await deps.declineRoomEvent(
    b.calendar?.mailbox ?? "",
    eventId,
    `Declined by ONES: the request was rejected. ${reason}`,
  );
}

import { Temporal } from "temporal-polyfill";
import type { Principal } from "../../domain/auth/principal";
import type {
  Booking,
  BookingView,
  CalendarLink,
  NewBookingInput,
  PersonRef,
} from "../../domain/bookings/booking";
import { evaluatePolicy, policyRefused, type Refusal } from "../../domain/bookings/evaluate";
import type { BookingPolicy } from "../../domain/bookings/policy";
import { expandSeries, noExceptions } from "../../domain/bookings/recurrence";
import type { Slot } from "../../domain/bookings/slots";
import { AppError } from "../../domain/errors";
import { requireCapability } from "../../domain/integration/capabilities";
import type { IntegrationMode } from "../../domain/integration/modes";
import type { Room } from "../../domain/rooms/room";
import { sendMail } from "../send-mail";
import {
  bookableRooms,
  enqueueCommand,
  integrationMode,
  mailBooking,
  view,
  type BookingDependencies,
} from "./dependencies";
import { publishRoomSchedules } from "./room-schedule";

/** The occurrences of a booking: its series expanded in the zone, or its one slot. */
export function occurrencesOf(
  b: Pick<Booking, "start" | "end" | "timeZone" | "recurrence" | "exceptions">,
): Slot[] {
  if (b.recurrence === undefined)
    return [{ key: new Date(b.start).toISOString(), start: b.start, end: b.end }];
  return expandSeries({
    start: b.start,
    end: b.end,
    timeZone: b.timeZone,
    recurrence: b.recurrence,
    exceptions: b.exceptions,
  });
}

/** All-day bookings run from midnight to midnight in the room's zone. */
function checkAllDay(start: number, end: number, zone: string): void {
  const atMidnight = (ms: number): boolean => {
    const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
    return z.hour === 0 && z.minute === 0 && z.second === 0 && z.millisecond === 0;
  };
  if (!atMidnight(start) || !atMidnight(end))
    throw new AppError(
      "validation-failed",
      "An all-day booking starts and ends at midnight in the room's time zone.",
      {
        fields: [{ path: "start", message: `must be midnight in ${zone}` }],
      },
    );
}

/**
 * Where the organizer's event is written (ones-capabilities.md, graph-facts.md §3.3): in application
 * mode the app writes in the organizer's calendar, or, for a room of another domain with a
 * representative, in the representative's calendar with the organizer as attendee; in delegated mode
 * the organizer writes in their own calendar with their token.
 */
export async function calendarTarget(
  deps: Pick<BookingDependencies, "crossDomain">,
  mode: IntegrationMode,
  organizer: PersonRef,
  rooms: readonly Room[],
): Promise<CalendarLink & { readonly organizerAsAttendee: boolean }> {
  if (mode === "delegated") {
    if (organizer.userId === undefined)
      throw new AppError("validation-failed", "In the delegated mode a booking needs a signed-in organizer.");
    return { mailbox: organizer.email, actor: "user", organizerAsAttendee: false };
  }
  const domainOf = (email: string): string => email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  const roomDomain = domainOf(rooms[0]?.email ?? "");
  if (roomDomain !== "" && roomDomain !== domainOf(organizer.email)) {
    const { representatives } = await deps.crossDomain.get();
    const rep = representatives.find((r) => r.domain.toLowerCase() === roomDomain);
    if (rep !== undefined) return { mailbox: rep.mailbox, actor: "app", organizerAsAttendee: true };
  }
  return { mailbox: organizer.email, actor: "app", organizerAsAttendee: false };
}

/** The organizer's other bookings that the overlap rule of `policy` looks at. */
async function organizerBusy(
  deps: Pick<BookingDependencies, "store">,
  policy: BookingPolicy,
  organizer: PersonRef,
  window: { from: number; to: number },
  except?: string,
): Promise<{ start: number; end: number }[]> {
  if (policy.organizerOverlap === "allowed") return [];
  const page = await deps.store.listByOrganizer(organizer.email.toLowerCase(), { ...window, limit: 500 });
  const scope = policy.organizerOverlap === "same-policy" ? new Set(policy.roomIds) : undefined;
  return page.items
    .filter((b) => b.id !== except)
    .flatMap((b) =>
      Object.entries(b.reserved)
        .filter(([roomId]) => scope === undefined || scope.has(roomId))
        .flatMap(([, slots]) => slots),
    );
}

export interface PolicyCheck {
  readonly policies: BookingPolicy[];
  readonly refusals: Refusal[];
}

/** Evaluates every room's policy for these occurrences; the caller throws on refusals. */
export async function checkPolicies(
  deps: Pick<BookingDependencies, "store" | "policies" | "now">,
  rooms: readonly Room[],
  request: {
    occurrences: readonly Slot[];
    recurring: boolean;
    isAllDay: boolean;
    requester: Principal;
    organizer: PersonRef;
    onBehalf: boolean;
    termsAccepted: boolean;
    fields: Readonly<Record<string, string | number>>;
    except?: string;
  },
): Promise<PolicyCheck> {
  const policies = await Promise.all(rooms.map((r) => deps.policies.forRoom(r.id)));
  const from = Math.min(...request.occurrences.map((s) => s.start));
  const to = Math.max(...request.occurrences.map((s) => s.end));
  const refusals: Refusal[] = [];
  for (const [i, room] of rooms.entries()) {
    const policy = policies[i] as BookingPolicy;
    const busy = await organizerBusy(deps, policy, request.organizer, { from, to }, request.except);
    refusals.push(
      ...evaluatePolicy(policy, {
        roomId: room.id,
        roomCount: rooms.length,
        timeZone: room.timeZone,
        occurrences: request.occurrences,
        recurring: request.recurring,
        isAllDay: request.isAllDay,
        requester: { userId: request.requester.userId, groups: request.requester.groups },
        onBehalf: request.onBehalf,
        termsAccepted: request.termsAccepted,
        fields: request.fields,
        organizerBusy: busy,
        now: deps.now().getTime(),
      }),
    );
  }
  // One refusal per rule and field (a multi-room booking breaks the same rule in each room).
  const seen = new Set<string>();
  return {
    policies,
    refusals: refusals.filter((r) => {
      const k = `${r.rule}|${r.field ?? ""}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
  };
}

/**
 * POST /api/bookings. Validates, checks each room's policy, reserves the slots atomically (409 on a
 * conflict, found before anything is written) and stores the booking as `pending` (or
 * `awaiting-approval`), queues the calendar write on `booking-commands`, and returns the booking (the
 * edge answers 202). Only what guarantees the slot and the request is done before the answer; the rest
 * (calendar, displays, mail) follows from the queued command. A failure before the queue has the work
 * leaves nothing behind.
 */
export async function createBooking(
  deps: BookingDependencies,
  principal: Principal,
  input: NewBookingInput,
): Promise<BookingView> {
  const mode = await integrationMode(deps);
  requireCapability(mode, "create-booking");
  const roomIds = [...input.roomIds].sort();
  const rooms = await bookableRooms(deps, roomIds);
  const timeZone = (rooms[0] as Room).timeZone;
  if (input.isAllDay) checkAllDay(input.start, input.end, timeZone);

  const self: PersonRef = { userId: principal.userId, email: principal.email, name: principal.name };
  const onBehalf =
    input.onBehalfOf !== undefined && input.onBehalfOf.toLowerCase() !== principal.email.toLowerCase();
  if (onBehalf) requireCapability(mode, "book-for-others");
  const organizer: PersonRef = onBehalf ? { email: (input.onBehalfOf as string).toLowerCase() } : self;
  if (organizer.email === "")
    throw new AppError(
      "validation-failed",
      "Your account has no e-mail address, so ONES cannot invite the room.",
    );
  if (mode === "delegated") await requireDelegatedSignIn(deps, principal);

  const draft = {
    start: input.start,
    end: input.end,
    timeZone,
    ...(input.recurrence === undefined ? {} : { recurrence: input.recurrence }),
    exceptions: noExceptions,
  };
  const occurrences = occurrencesOf(draft);
  if (occurrences.length === 0) throw new AppError("validation-failed", "The series has no occurrence.");
  const { policies, refusals } = await checkPolicies(deps, rooms, {
    occurrences,
    recurring: input.recurrence !== undefined,
    isAllDay: input.isAllDay,
    requester: principal,
    organizer,
    onBehalf,
    termsAccepted: input.termsAccepted,
    fields: input.fields,
  });
  if (refusals.length > 0) throw policyRefused(refusals);

  const approvalPolicies = policies.filter((p) => p.approval.required);
  const needsApproval = approvalPolicies.length > 0;
  const holdSlot = !needsApproval || approvalPolicies.some((p) => p.approval.holdSlot);
  const target = await calendarTarget(deps, mode, organizer, rooms);
  const now = deps.now().toISOString();
  const { organizerAsAttendee, ...calendar } = target;
  const booking: Booking = {
    id: deps.newId(),
    roomIds,
    ...draft,
    subject: input.subject,
    ...(input.body === undefined ? {} : { body: input.body }),
    attendees: [
      ...(organizerAsAttendee
        ? [
            {
              email: organizer.email,
              ...(organizer.name === undefined ? {} : { name: organizer.name }),
              type: "required" as const,
            },
          ]
        : []),
      ...input.attendees.filter((a) => a.email.toLowerCase() !== calendar.mailbox.toLowerCase()),
    ],
    isOnlineMeeting: input.isOnlineMeeting,
    isAllDay: input.isAllDay,
    organizer,
    bookedBy: self,
    source: "ones",
    state: needsApproval ? "awaiting-approval" : "pending",
    fields: input.fields,
    termsAccepted: input.termsAccepted,
    ...(needsApproval
      ? { approval: { holdSlot, approvers: approvalPolicies.flatMap((p) => p.approval.approvers) } }
      : {}),
    calendar,
    roomResponses: Object.fromEntries(roomIds.map((r) => [r, "none" as const])),
    reserved: holdSlot ? Object.fromEntries(roomIds.map((r) => [r, occurrences])) : {},
    version: 1,
    createdAt: now,
    updatedAt: now,
  };

  // The slot reservation is the gate: its reads find a conflict before anything is written, and the
  // booking's document is stored just before the first slot is (never a slot without its booking).
  let stored = false;
  let reserved = false;
  const store = async (): Promise<void> => {
    await deps.store.create(booking);
    stored = true;
  };
  try {
    if (holdSlot) {
      await deps.store.reserve(
        booking.id,
        roomIds.map((roomId) => ({ roomId, slots: occurrences })),
        { fresh: true, beforeWrite: store },
      );
      reserved = true;
    } else {
      await store();
    }
    if (needsApproval) {
      await enqueueCommand(
        deps,
        { command: "expire", bookingId: booking.id, version: booking.version },
        new Date(booking.start),
      );
      await sendMail(deps, {
        key: `approval-requested:${booking.id}`,
        to: booking.approval?.approvers ?? [],
        template: {
          kind: "approval-requested",
          booking: mailBooking(booking, rooms[0]),
          requesterName: principal.name.trim() === "" ? principal.email || "A colleague" : principal.name,
        },
      });
    } else {
      await enqueueCommand(deps, { command: "write", bookingId: booking.id, version: booking.version });
    }
  } catch (error) {
    // Nothing of a refused or unqueued request stays: free the slots, then drop the booking.
    if (reserved)
      await deps.store.reserve(
        booking.id,
        roomIds.map((roomId) => ({ roomId, slots: [] })),
        { force: true },
      );
    if (stored) await deps.store.remove(booking.id);
    throw error;
  }
  deps.log?.(
    `booking ${booking.id} ${booking.state} for ${roomIds.length} room(s), ${occurrences.length} occurrence(s)`,
  );
  // A pending booking reaches the displays from the consumer of its `write` (after the answer, never
  // lost: the command is queued); a request awaiting approval has no command until it is decided.
  if (needsApproval && holdSlot) await publishRoomSchedules(deps, roomIds);
  return view(booking);
}

/**
 * Delegated mode: ONES writes with the organizer's own token, so they must have signed in once (and
 * their sign-in must still work). Otherwise the booking is refused with a problem saying so, and they
 * are mailed (at most once a day) how to fix it.
 */
async function requireDelegatedSignIn(deps: BookingDependencies, principal: Principal): Promise<void> {
  const state = await deps.userTokens.state(principal.userId);
  if (state === "ok") return;
  if (principal.email !== "") {
    const day = deps.now().toISOString().slice(0, 10);
    try {
      await sendMail(deps, {
        key: `sign-in-required:${principal.userId}:booking-${day}`,
        to: [{ email: principal.email, ...(principal.name.trim() === "" ? {} : { name: principal.name }) }],
        template: { kind: "sign-in-required", reason: "session-expired" },
      });
    } catch (error) {
      deps.log?.(
        `sign-in-required mail for user ${principal.userId} not queued: ${error instanceof AppError ? error.code : "unexpected"}`,
      );
    }
  }
  throw new AppError(
    "forbidden",
    "Sign in to ONES once with your Microsoft account (not only through the add-in) so ONES can put bookings in your calendar; then book again.",
    { extensions: { reason: "sign-in-required", signIn: "/api/auth/login" } },
  );
}

import { isFinal, occurrenceKey, type Booking, type RoomResponse } from "../../domain/bookings/booking";
import {
  occurrenceAction,
  owedEntry,
  settleAllOccurrences,
  settleOccurrence,
} from "../../domain/bookings/owed-occurrences";
import type { BookingCommand } from "../../domain/bookings/commands";
import { AppError, isAppError } from "../../domain/errors";
import type { DeclineReason } from "../../domain/mail/templates";
import type { Room } from "../../domain/rooms/room";
import { releaseFollowUp } from "../displays/auto-release";
import type { StoredBooking } from "../ports/booking-store";
import type { CalendarActor, CalendarEventInput, CalendarEventState } from "../ports/calendar-gateway";
import { sendMail } from "../send-mail";
import { enqueueCommand, mailBooking, mutateBooking, type BookingDependencies } from "./dependencies";
import { publishRoomSchedules } from "./room-schedule";

export type CommandOutcome = "done" | "skipped" | "waiting-for-room";

export const DEFAULT_POLL = { delayMs: 30_000, maxPolls: 20 };

/** Whose token writes the event: the user who wrote it in the room's calendar, or its organizer. */
function actorOf(b: Booking): CalendarActor {
  if (b.calendar?.actor === "user") {
    if (b.calendar.writerId !== undefined) return { kind: "user", userId: b.calendar.writerId };
    if (b.organizer.userId === undefined)
      throw new AppError("validation-failed", "The booking has no signed-in organizer.");
    return { kind: "user", userId: b.organizer.userId };
  }
  return { kind: "app" };
}

async function roomsOf(deps: BookingDependencies, b: Booking): Promise<Room[]> {
  const rooms = await Promise.all(b.roomIds.map((id) => deps.rooms.room(id)));
  return rooms.flatMap((r) => (r === undefined ? [] : [r]));
}

function eventInput(b: Booking, rooms: readonly Room[]): CalendarEventInput {
  return {
    bookingId: b.id,
    subject: b.subject,
    ...(b.body === undefined ? {} : { body: b.body }),
    start: b.start,
    end: b.end,
    timeZone: b.timeZone,
    isAllDay: b.isAllDay,
    isOnlineMeeting: b.isOnlineMeeting,
    ...(b.recurrence === undefined ? {} : { recurrence: b.recurrence }),
    rooms: rooms.map((r) => ({ email: r.email, name: r.displayName })),
    attendees: b.attendees,
  };
}

/**
 * The `booking-commands` consumer: brings Microsoft 365 in line with the booking, idempotently.
 * - `write`: finds the organizer's event by the booking-id extended property before creating one (and
 *   creates with `transactionId`), so neither a Graph retry nor a crash between the Graph write and the
 *   store update makes a second event; an edited booking's event is updated with If-Match.
 * - then the rooms' answers move the booking to `confirmed` or `declined` (slots released, organizer
 *   mailed with the reason, displays told); with no answer yet, a `refresh` is scheduled and the
 *   displays are sent the pending booking (the request path leaves that to this command).
 * - `cancel` cancels the organizer's event. A cancel never loses to a write still under way: the
 *   write reads the booking again after writing and cancels the event it made when the booking was
 *   cancelled meanwhile.
 * - `cancel-occurrence`, `move-occurrence` complete an occurrence change still owed (see
 *   applyOwedOccurrence).
 * - `expire`: a request still awaiting approval at its start expires (slots released, organizer mailed).
 * - `release`: completes an auto-release still owed (shared/app/displays/auto-release.ts).
 * Stale messages (for an older version) and bookings in a final state are skipped.
 */
export async function processBookingCommand(
  deps: BookingDependencies,
  command: BookingCommand,
): Promise<CommandOutcome> {
  const stored = await deps.store.get(command.bookingId);
  if (stored === undefined) {
    deps.log?.(`booking ${command.bookingId} not found; ${command.command} skipped`);
    return "skipped";
  }
  const b = stored.booking;
  // An auto-release still owed (also of a booking with no event: ONES's slot is freed all the same).
  if (command.command === "release")
    return releaseFollowUp(deps, b, command.roomId, occurrenceKey(command.occurrence));
  const mailbox = b.calendar?.mailbox;
  if (mailbox === undefined) return "skipped";
  switch (command.command) {
    case "write": {
      // A write that ran after the booking's cancel (late, or delivered again after a crash) may have
      // made the event already: it goes.
      if (b.state === "cancelled") return cancelEvent(deps, b);
      if (b.state === "confirmed" && b.calendarOwed === "write") return writeOwedChange(deps, b);
      if (b.state !== "pending" || b.version !== command.version) return "skipped";
      const gateway = await deps.calendar();
      const actor = actorOf(b);
      const rooms = await roomsOf(deps, b);
      const input = eventInput(b, rooms);
      let event: CalendarEventState;
      const eventId = b.calendar?.eventId;
      if (eventId === undefined) {
        event =
          (await gateway.findByBookingId(actor, mailbox, b.id)) ??
          (await gateway.create(actor, mailbox, input));
      } else {
        const { bookingId: _id, recurrence: _r, isAllDay: _a, ...patch } = input;
        event = await gateway.update(
          actor,
          mailbox,
          eventId,
          b.recurrence === undefined ? { ...patch, timeZone: undefined } : patch,
          b.calendar?.etag,
        );
      }
      // The link is stored on the booking as read above when nothing changed it meanwhile (its ETag
      // says so), else on a fresh read; either way what comes back was read or written after the event.
      const after = await linkEvent(deps, b.id, event, command.version, stored);
      // Cancelled while the event was being written: the cancel that ran meanwhile found no event to
      // cancel, so this one does (reading after the write means one of the two always sees the other).
      if (after?.booking.state === "cancelled") return cancelEvent(deps, after.booking, event.eventId);
      // Occurrence changes made before the series had an event (or while it was written) waited for
      // it: they follow now.
      for (const owed of after?.booking.occurrencesOwed ?? [])
        await enqueueOccurrenceCommand(deps, after?.booking ?? b, owed.key);
      const outcome = await applyResponses(deps, b.id, event, rooms, 0, after);
      // Confirmed or declined, the displays were told already; still waiting, they show it pending.
      if (outcome === "waiting-for-room") await publishRoomSchedules(deps, b.roomIds);
      return outcome;
    }
    case "refresh": {
      if (b.state !== "pending" || b.calendar?.eventId === undefined) return "skipped";
      const event = await (await deps.calendar()).get(actorOf(b), mailbox, b.calendar.eventId);
      if (event === undefined) return "skipped";
      return applyResponses(deps, b.id, event, await roomsOf(deps, b), command.poll);
    }
    case "cancel":
      return b.state === "cancelled" ? cancelEvent(deps, b) : "skipped";
    case "cancel-occurrence":
    case "move-occurrence":
      return applyOwedOccurrence(deps, b, command.occurrence);
    case "expire": {
      if (b.state !== "awaiting-approval") return "skipped";
      await endBooking(deps, b, "expired", "Nobody approved the request before it started.", {
        kind: "policy",
        rule: "approval: not decided before the start",
      });
      return "done";
    }
  }
}

/**
 * Brings one occurrence of the series in line with the booking, if its change is still owed (an
 * `occurrencesOwed` entry): cancelled → the occurrence is cancelled (and its slot released, for a
 * worker that died between saving the cancel and releasing it), moved → it is put at its current
 * time. What to do is read from the booking now, not from the message, so a late or repeated command
 * writes the latest state or nothing: a second cancel finds no occurrence left, a repeated move sets
 * the same time again, and a command whose entry is gone is skipped without calling Graph. The entry
 * is removed after the write, and only if no newer change of the occurrence replaced it meanwhile.
 * A series with no event yet, or whose own edit is still to be written, is left to its `write`, which
 * queues what is owed once the series is written.
 */
async function applyOwedOccurrence(
  deps: BookingDependencies,
  b: Booking,
  occurrence: string,
): Promise<CommandOutcome> {
  const key = occurrenceKey(occurrence);
  const owed = owedEntry(b, key);
  if (owed === undefined) return "skipped";
  if (isFinal(b.state)) {
    // A cancelled series took every occurrence with it; an ended one owes the calendar nothing more.
    await mutateBooking(deps, b.id, (current) =>
      current.occurrencesOwed === undefined ? undefined : settleAllOccurrences(current),
    );
    return "skipped";
  }
  const mailbox = b.calendar?.mailbox;
  const eventId = b.calendar?.eventId;
  // The series' own write goes first (it may drop the occurrence changes); it queues this after.
  if (mailbox === undefined || eventId === undefined || b.calendarOwed === "write") return "skipped";
  const action = occurrenceAction(b, key);
  const gateway = await deps.calendar();
  if (action?.kind === "cancel") {
    if (Object.keys(b.reserved).length > 0) await deps.store.releaseOccurrences(b.id, b.roomIds, [key]);
    await gateway.cancelOccurrence(actorOf(b), mailbox, eventId, Date.parse(key));
  } else if (action?.kind === "move") {
    await gateway.moveOccurrence(actorOf(b), mailbox, eventId, Date.parse(key), action.to);
  }
  await mutateBooking(deps, b.id, (current) => {
    const settled = settleOccurrence(current, owed);
    return settled === undefined ? undefined : { ...settled, updatedAt: deps.now().toISOString() };
  });
  deps.log?.(`booking ${b.id}: occurrence ${key} ${action?.kind ?? "unchanged"} in the calendar`);
  return "done";
}

/**
 * Completes the write a confirmed booking still owes: a change made on a room display (a walk-in, an
 * extension or an early end) saved with `calendarOwed: "write"` by a request that died before it
 * wrote Microsoft 365 or before it cleared the mark. An event not linked yet is found by the
 * booking-id property before one is made (a walk-in's, in the room's own calendar with the room its
 * organizer: no room invited, no attendees); a linked one gets the booking's time. The mark is
 * cleared only if the booking did not change meanwhile (a newer change owes its own write).
 */
async function writeOwedChange(deps: BookingDependencies, b: Booking): Promise<CommandOutcome> {
  const mailbox = b.calendar?.mailbox;
  if (mailbox === undefined) return "skipped";
  const gateway = await deps.calendar();
  const actor = actorOf(b);
  const rooms = await roomsOf(deps, b);
  const roomOwn = rooms.some((r) => r.email.toLowerCase() === mailbox.toLowerCase());
  let event: CalendarEventState;
  const eventId = b.calendar?.eventId;
  if (eventId === undefined) {
    const found = await gateway.findByBookingId(actor, mailbox, b.id);
    if (found === undefined && !(await holdsItsSlots(deps, b))) return "skipped";
    event = found ?? (await gateway.create(actor, mailbox, eventInput(b, roomOwn ? [] : rooms)));
  } else if (b.recurrence === undefined) {
    event = await gateway.update(actor, mailbox, eventId, { start: b.start, end: b.end });
  } else {
    // A series' single occurrences are owed one by one (`occurrencesOwed`), never as a whole write.
    deps.log?.(`booking ${b.id}: series write owed by a confirmed booking left to its occurrences`);
    event = { ...b.calendar, eventId, isCancelled: false, roomResponses: {} };
  }
  await linkEvent(deps, b.id, event, b.version);
  deps.log?.(`booking ${b.id}: owed calendar write completed`);
  return "done";
}

/**
 * Before a confirmed booking's first event is made by the sweep: its slots are taken again, checked
 * (nothing changes when it holds them already). A request that died between storing the booking and
 * reserving its slot leaves a booking whose time the room may have given to someone else since: that
 * one is cancelled, never written into the room's calendar over the other.
 */
async function holdsItsSlots(deps: BookingDependencies, b: Booking): Promise<boolean> {
  try {
    await deps.store.reserve(
      b.id,
      b.roomIds.map((roomId) => ({ roomId, slots: b.reserved[roomId] ?? [] })),
    );
    return true;
  } catch (error) {
    if (!isAppError(error) || error.code !== "conflict") throw error;
    await mutateBooking(deps, b.id, (current) => {
      if (current.state !== "confirmed" || current.calendar?.eventId !== undefined) return undefined;
      const { calendarOwed: _write, ...rest } = current;
      return {
        ...rest,
        state: "cancelled",
        reason: "The room was taken before this booking reached its calendar.",
        reserved: {},
        version: current.version + 1,
        updatedAt: deps.now().toISOString(),
      };
    });
    deps.log?.(`booking ${b.id}: its slot was taken before its event was written; cancelled`);
    return false;
  }
}

/** Queues the command for the change owed on occurrence `key`, named as the booking says it now. */
export async function enqueueOccurrenceCommand(
  deps: Pick<BookingDependencies, "workQueue">,
  b: Booking,
  key: string,
): Promise<void> {
  await enqueueCommand(deps, {
    command: occurrenceAction(b, key)?.kind === "cancel" ? "cancel-occurrence" : "move-occurrence",
    bookingId: b.id,
    version: owedEntry(b, key)?.version ?? b.version,
    occurrence: key,
  });
}

/**
 * Cancels the organizer's event of a cancelled booking: the one given, else the one linked, else the
 * one stamped with the booking id (made by a write the booking never heard back from). Nothing found
 * is nothing to cancel, and a cancelled event is not there any more, so running again is harmless.
 * Then the booking owes the calendar nothing.
 */
async function cancelEvent(deps: BookingDependencies, b: Booking, eventId?: string): Promise<CommandOutcome> {
  const mailbox = b.calendar?.mailbox;
  if (mailbox === undefined) return "skipped";
  const gateway = await deps.calendar();
  const actor = actorOf(b);
  const id = eventId ?? b.calendar?.eventId ?? (await gateway.findByBookingId(actor, mailbox, b.id))?.eventId;
  if (id !== undefined) await gateway.cancel(actor, mailbox, id);
  await mutateBooking(deps, b.id, (current) => {
    if (current.calendarOwed !== "cancel") return undefined;
    const { calendarOwed: _done, ...rest } = current;
    return { ...rest, updatedAt: deps.now().toISOString() };
  });
  deps.log?.(`booking ${b.id}: ${id === undefined ? "no event to cancel" : `event cancelled`}`);
  return "done";
}

/**
 * Stores the event's id, iCalUId and version on the booking (once; edits keep the same event); an edit
 * of `version` owes the calendar nothing any more.
 */
async function linkEvent(
  deps: BookingDependencies,
  id: string,
  event: CalendarEventState,
  version: number,
  known?: StoredBooking,
): Promise<StoredBooking | undefined> {
  return mutateBooking(
    deps,
    id,
    (b) => {
      if (b.calendar === undefined) return undefined;
      const written = b.calendarOwed === "write" && b.version === version;
      if (b.calendar.eventId === event.eventId && b.calendar.etag === event.etag && !written)
        return undefined;
      const { calendarOwed: _written, ...rest } = b;
      return {
        ...(written ? rest : b),
        calendar: {
          ...b.calendar,
          eventId: event.eventId,
          ...(event.iCalUId === undefined ? {} : { iCalUId: event.iCalUId }),
          ...(event.etag === undefined ? {} : { etag: event.etag }),
        },
        updatedAt: deps.now().toISOString(),
      };
    },
    known,
  );
}

/** The rooms' answers: all accepted → confirmed; one declined → declined; else look again later. */
async function applyResponses(
  deps: BookingDependencies,
  id: string,
  event: CalendarEventState,
  rooms: readonly Room[],
  poll: number,
  known?: StoredBooking,
): Promise<CommandOutcome> {
  const responses: Record<string, RoomResponse> = {};
  for (const r of rooms) responses[r.id] = event.roomResponses[r.email.toLowerCase()] ?? "none";
  const values = Object.values(responses);
  const stored = known ?? (await deps.store.get(id));
  const current = stored?.booking;
  if (current === undefined || current.state !== "pending") return "skipped";
  if (values.includes("declined")) {
    await endBooking(
      deps,
      { ...current, roomResponses: responses },
      "declined",
      "The room declined the invitation.",
      {
        kind: "room-declined",
      },
    );
    return "done";
  }
  if (values.length > 0 && values.every((v) => v === "accepted")) {
    await confirm(deps, id, responses, rooms, undefined, stored);
    return "done";
  }
  const { delayMs, maxPolls } = deps.responsePoll ?? DEFAULT_POLL;
  if (poll < maxPolls) {
    const version = current.version;
    await enqueueCommand(
      deps,
      { command: "refresh", bookingId: id, version, poll: poll + 1 },
      new Date(deps.now().getTime() + delayMs),
    );
    return "waiting-for-room";
  }
  deps.log?.(`booking ${id}: no answer from the room after ${poll} looks; confirmed by ONES`);
  await confirm(deps, id, responses, rooms, NO_ROOM_RESPONSE_REASON);
  return "done";
}

/** Shown with a booking confirmed by ONES alone because its room never answered. */
export const NO_ROOM_RESPONSE_REASON =
  "The room did not answer the invitation; ONES holds the slot and the meeting stands.";

/**
 * Confirms a pending booking (stored, organizer mailed, displays told). After the last look a room
 * that never answered (its mailbox does not process invitations, or only tentatively) is confirmed
 * too, with the room's response as it is (`none` or `tentativelyAccepted`) and `reason` saying so:
 * ONES has reserved the slot atomically, the organizer's event invites the room, and a person booking
 * a room expects a meeting that stands, not one that waits for ever. A later decline by the room's
 * delegate still reaches the booking through the calendar sync.
 */
async function confirm(
  deps: BookingDependencies,
  id: string,
  responses: Readonly<Record<string, RoomResponse>>,
  rooms: readonly Room[],
  reason?: string,
  known?: StoredBooking,
): Promise<void> {
  const saved = await mutateBooking(
    deps,
    id,
    (b) =>
      b.state !== "pending"
        ? undefined
        : {
            ...b,
            state: "confirmed",
            roomResponses: responses,
            ...(reason === undefined ? {} : { reason }),
            updatedAt: deps.now().toISOString(),
          },
    known,
  );
  if (saved?.booking.state !== "confirmed") return;
  await sendMail(deps, {
    key: `booking-confirmed:${id}:${saved.booking.version}`,
    to: [{ email: saved.booking.organizer.email }],
    template: { kind: "booking-confirmed", booking: mailBooking(saved.booking, rooms[0]) },
  });
  await publishRoomSchedules(deps, saved.booking.roomIds);
}

/**
 * Ends a booking that did not make it (declined by the room, rejected, expired): its slots are freed
 * first (so a crash in between repeats harmlessly), then its state is stored and the organizer mailed.
 * The booking itself is kept, with the reason.
 */
export async function endBooking(
  deps: BookingDependencies,
  b: Booking,
  state: "declined" | "rejected" | "expired",
  reason: string,
  mail: DeclineReason | { kind: "approval"; decidedBy: string; comment?: string },
): Promise<void> {
  await deps.store.reserve(
    b.id,
    b.roomIds.map((roomId) => ({ roomId, slots: [] })),
    { force: true },
  );
  const saved = await mutateBooking(deps, b.id, (current) =>
    current.state === state
      ? undefined
      : {
          ...current,
          state,
          reason,
          roomResponses: b.roomResponses,
          reserved: {},
          version: current.version + 1,
          updatedAt: deps.now().toISOString(),
        },
  );
  const booking = saved?.booking ?? b;
  const room = await deps.rooms.room(booking.roomIds[0] ?? "");
  await sendMail(deps, {
    key: `booking-${state}:${booking.id}`,
    to: [{ email: booking.organizer.email }],
    template:
      mail.kind === "approval"
        ? {
            kind: "approval-decided",
            booking: mailBooking(booking, room),
            decision: "rejected",
            decidedBy: mail.decidedBy,
            ...(mail.comment === undefined ? {} : { comment: mail.comment }),
          }
        : { kind: "booking-declined", booking: mailBooking(booking, room), reason: mail },
  });
  await publishRoomSchedules(deps, booking.roomIds);
}

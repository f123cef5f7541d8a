import type { PendingBookings } from "../ports/pending-bookings";
import { isFinal } from "../../domain/bookings/booking";
import { DEFAULT_POLL, enqueueOccurrenceCommand } from "./booking-commands";
import { enqueueCommand, type BookingDependencies } from "./dependencies";

/** A pending booking untouched this long has lost its command (the poll schedule ends well before). */
export const STUCK_AFTER_MS = 15 * 60_000;
const MAX_PER_RUN = 500;

export interface RecoveryResult {
  /**
   * Bookings with no event yet, or whose edit is still owed (a pending booking's, or a confirmed one's
   * change made on a room display): `write` queued again.
   */
  readonly rewritten: number;
  /** Bookings whose event exists: a last look at the room's answer queued. */
  readonly relooked: number;
  /** Cancelled bookings whose calendar cancel is still owed: `cancel` queued again. */
  readonly cancels: number;
  /** Occurrence changes (cancel or move of one occurrence) still owed: their command queued again. */
  readonly occurrences: number;
  /** Auto-releases (one room of one occurrence) still owed: their `release` queued again. */
  readonly releases: number;
}

/**
 * The recovery sweep. A worker that dies after reserving a booking's slots but before queueing its
 * calendar write (or before queueing the next look at the room's answer) leaves a `pending` booking
 * that nothing moves on. Every pending booking not changed for STUCK_AFTER_MS gets its command again:
 * `write` when no event is linked (the consumer finds an event already made by the booking-id
 * extended property, so this never makes a second one), else a `refresh` as the last look, which
 * confirms or declines it; an edit still owed (`calendarOwed`) gets its `write` again. So does a
 * confirmed booking still owing its write: a display's walk-in, extension or early end, saved with
 * the mark before the request wrote Microsoft 365 and cleared after. A cancelled
 * booking whose calendar cancel is still owed (the worker died between saving `cancelled` and
 * queueing the command, or the command failed for good) gets its `cancel` again. So does each change
 * of a single occurrence still owed (`occurrencesOwed`): its `cancel-occurrence` or `move-occurrence`
 * is queued again, unless the series itself is still to be written (its write queues them after).
 * So does each auto-release still owed (`releasesOwed`: the timer saved it, then died before queueing
 * its follow-up, or the follow-up failed for good): its `release` is queued again, as the timer queues it.
 * Commands for a booking that moved on meanwhile are skipped by the consumer; a repeated cancel finds
 * nothing left to cancel, and a repeated release finds nothing owed.
 */
export async function recoverPendingBookings(
  deps: Pick<BookingDependencies, "store" | "workQueue" | "now" | "log" | "responsePoll"> & {
    readonly pending: PendingBookings;
  },
): Promise<RecoveryResult> {
  const cutoff = deps.now().getTime() - STUCK_AFTER_MS;
  let rewritten = 0;
  let relooked = 0;
  for (const id of await deps.pending.pendingIds(MAX_PER_RUN)) {
    const b = (await deps.store.get(id))?.booking;
    if (b === undefined || b.state !== "pending" || Date.parse(b.updatedAt) > cutoff) continue;
    if (b.calendar?.eventId === undefined || b.calendarOwed === "write") {
      await enqueueCommand(deps, { command: "write", bookingId: b.id, version: b.version });
      rewritten++;
    } else {
      await enqueueCommand(deps, {
        command: "refresh",
        bookingId: b.id,
        version: b.version,
        poll: (deps.responsePoll ?? DEFAULT_POLL).maxPolls,
      });
      relooked++;
    }
    deps.log?.(`booking ${b.id} pending since ${b.updatedAt}: command queued again`);
  }
  // Confirmed bookings whose change a display made owe the calendar their write (the request died
  // between saving the change and writing it): the consumer completes it.
  const owed = await deps.pending.owed(MAX_PER_RUN);
  for (const id of owed.write) {
    const b = (await deps.store.get(id))?.booking;
    if (b?.state !== "confirmed" || b.calendarOwed !== "write" || Date.parse(b.updatedAt) > cutoff) continue;
    await enqueueCommand(deps, { command: "write", bookingId: b.id, version: b.version });
    rewritten++;
    deps.log?.(`booking ${b.id} changed at ${b.updatedAt}: calendar write queued again`);
  }
  let cancels = 0;
  for (const id of owed.cancel) {
    const b = (await deps.store.get(id))?.booking;
    if (b?.state !== "cancelled" || b.calendarOwed !== "cancel" || Date.parse(b.updatedAt) > cutoff) continue;
    await enqueueCommand(deps, { command: "cancel", bookingId: b.id, version: b.version });
    cancels++;
    deps.log?.(`booking ${b.id} cancelled at ${b.updatedAt}: calendar cancel queued again`);
  }
  let occurrences = 0;
  for (const id of owed.occurrence) {
    const b = (await deps.store.get(id))?.booking;
    const changes = b?.occurrencesOwed ?? [];
    if (b === undefined || changes.length === 0 || Date.parse(b.updatedAt) > cutoff) continue;
    // A booking that ended owes nothing more: one command lets the consumer clear the list.
    const keys = isFinal(b.state) ? changes.slice(0, 1) : changes;
    if (!isFinal(b.state) && (b.calendar?.eventId === undefined || b.calendarOwed === "write")) continue;
    for (const o of keys) await enqueueOccurrenceCommand(deps, b, o.key);
    occurrences += keys.length;
    deps.log?.(`booking ${b.id}: ${keys.length} occurrence change(s) queued again`);
  }
  // Auto-releases still owed, whatever the booking's state: the consumer completes each (Microsoft 365
  // first, then ONES's slot, the mail and the entry) and skips one settled meanwhile.
  let releases = 0;
  for (const id of owed.release) {
    const b = (await deps.store.get(id))?.booking;
    const rooms = b?.releasesOwed ?? [];
    if (b === undefined || rooms.length === 0 || Date.parse(b.updatedAt) > cutoff) continue;
    for (const r of rooms)
      await enqueueCommand(deps, {
        command: "release",
        bookingId: b.id,
        version: b.version,
        roomId: r.roomId,
        occurrence: r.key,
      });
    releases += rooms.length;
    deps.log?.(`booking ${b.id}: ${rooms.length} release(s) queued again`);
  }
  return { rewritten, relooked, cancels, occurrences, releases };
}

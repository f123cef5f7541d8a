import type { InvocationContext, Timer } from "@azure/functions";
import { recoverPendingBookings } from "../shared/composition/bookings";
import { timerFunction } from "./lib/definition";

/**
 * Every five minutes: pending bookings that nothing has moved on for a quarter of an hour (a worker
 * died between reserving and queueing) get their calendar write, or a last look at the room's
 * answer, queued again; so do cancels, single-occurrence changes and auto-releases still owed to the
 * calendar. Logs counts only.
 */
export async function bookingsRecoveryHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { rewritten, relooked, cancels, occurrences, releases } = await recoverPendingBookings((m) =>
    context.log(m),
  );
  context.log(
    `bookings-recovery: write queued again for ${rewritten}, last look queued for ${relooked}, cancel queued again for ${cancels}, occurrence changes queued again: ${occurrences}, releases queued again: ${releases}`,
  );
}

export const bookingsRecovery = timerFunction({
  name: "bookings-recovery",
  schedule: "0 */5 * * * *",
  handler: bookingsRecoveryHandler,
});

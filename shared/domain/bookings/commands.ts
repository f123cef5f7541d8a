import { z } from "zod";

/**
 * A message on the `booking-commands` queue: what to bring Microsoft 365 in line with, for which
 * version of the booking. The consumer reads the booking and acts on its current state, so a stale or
 * repeated message is harmless.
 */
export const bookingCommandSchema = z.discriminatedUnion("command", [
  /** Create the organizer's event if there is none, else update it to the booking; then read the rooms' answers. */
  z.object({
    command: z.literal("write"),
    bookingId: z.string().min(1).max(64),
    version: z.number().int().min(0),
  }),
  /** Read the rooms' answers again (the room attendant answers asynchronously). */
  z.object({
    command: z.literal("refresh"),
    bookingId: z.string().min(1).max(64),
    version: z.number().int().min(0),
    poll: z.number().int().min(1).max(100),
  }),
  z.object({
    command: z.literal("cancel"),
    bookingId: z.string().min(1).max(64),
    version: z.number().int().min(0),
  }),
  z.object({
    command: z.enum(["cancel-occurrence", "move-occurrence"]),
    bookingId: z.string().min(1).max(64),
    version: z.number().int().min(0),
    occurrence: z.iso.datetime(),
  }),
  /** At the start of a request awaiting approval: it expires if nobody decided. */
  z.object({
    command: z.literal("expire"),
    bookingId: z.string().min(1).max(64),
    version: z.number().int().min(0),
  }),
  /**
   * Completes an auto-release still owed (`releasesOwed`): the room `roomId` (its mailbox, lower case)
   * given back for occurrence `occurrence`, in Microsoft 365 and in ONES's reservation.
   */
  z.object({
    command: z.literal("release"),
    bookingId: z.string().min(1).max(64),
    version: z.number().int().min(0),
    roomId: z.string().min(3).max(320),
    occurrence: z.iso.datetime(),
  }),
]);

export type BookingCommand = z.output<typeof bookingCommandSchema>;

/**
 * The queue message id of a command: the same command for the same version is the same message (a
 * `release` names its room too: the recovery sweep queues every room a booking still owes at one version).
 */
export function bookingCommandId(c: BookingCommand): string {
  const room = "roomId" in c ? `:${c.roomId}` : "";
  const tail = "occurrence" in c ? `${room}:${c.occurrence}` : "poll" in c ? `:${c.poll}` : "";
  return `${c.command}:${c.bookingId}:${c.version}${tail}`;
}

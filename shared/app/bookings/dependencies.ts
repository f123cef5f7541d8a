import { bookingView, type Booking, type BookingView } from "../../domain/bookings/booking";
import { bookingCommandId, type BookingCommand } from "../../domain/bookings/commands";
import type { BookingPolicy } from "../../domain/bookings/policy";
import { AppError, isAppError } from "../../domain/errors";
import type { IntegrationMode } from "../../domain/integration/modes";
import type { MailBooking } from "../../domain/mail/templates";
import type { Room } from "../../domain/rooms/room";
import type { BookingStore, StoredBooking } from "../ports/booking-store";
import type { CalendarGateway } from "../ports/calendar-gateway";
import type { CrossDomainStore } from "../ports/cross-domain-store";
import type { IntegrationStore } from "../ports/integration-store";
import type { PolicyStore } from "../ports/policy-store";
import type { RealtimePublisher } from "../ports/realtime-publisher";
import type { RoomStore } from "../ports/sync-store";
import type { UserTokenStore } from "../ports/user-token-store";
import type { WorkQueue } from "../ports/work-queue";

/** Everything the booking use cases need, as ports. */
export interface BookingDependencies {
  readonly store: BookingStore;
  readonly policies: PolicyStore;
  readonly rooms: Pick<RoomStore, "room" | "rooms">;
  readonly integration: Pick<IntegrationStore, "get">;
  readonly userTokens: Pick<UserTokenStore, "state">;
  readonly crossDomain: Pick<CrossDomainStore, "get">;
  /** The Graph calendar gateway of the integration's cloud (built on first use). */
  readonly calendar: () => Promise<CalendarGateway>;
  readonly workQueue: WorkQueue;
  readonly realtime: RealtimePublisher;
  readonly now: () => Date;
  readonly newId: () => string;
  /** How long to wait before reading a room's answer again, and how often at most. */
  readonly responsePoll?: { readonly delayMs: number; readonly maxPolls: number };
  /** Declines a room's copy of an event on the room's behalf (rejected Outlook bookings). */
  readonly declineRoomEvent?: (roomEmail: string, eventId: string, comment: string) => Promise<void>;
  /** Logs ids only. */
  readonly log?: (message: string) => void;
}

export async function integrationMode(
  deps: Pick<BookingDependencies, "integration">,
): Promise<IntegrationMode> {
  const integration = await deps.integration.get();
  if (integration === undefined)
    throw new AppError(
      "precondition-failed",
      "ONES is not connected to Microsoft 365 yet; an admin must set up the integration.",
    );
  return integration.mode;
}

/** The rooms by id, in the given order; unknown, removed or unbookable rooms are a 404. */
export async function bookableRooms(
  deps: Pick<BookingDependencies, "rooms">,
  ids: readonly string[],
): Promise<Room[]> {
  return Promise.all(
    ids.map(async (id) => {
      const room = await deps.rooms.room(id);
      if (room === undefined || !room.active)
        throw new AppError("not-found", `There is no room ${id.slice(0, 254)}.`);
      if (!room.bookable)
        throw new AppError(
          "conflict",
          `The room ${room.id} cannot be reserved (Exchange booking type "reserved").`,
        );
      return room;
    }),
  );
}

/**
 * Reads, changes and stores a booking, re-reading when someone else changed it meanwhile. `known`, the
 * booking as the caller read it, is tried first without a read: its ETag makes the replace fail when it
 * is out of date. When the change leaves `known` as it is, the booking is read afresh, so what comes
 * back is never older than it would be without `known`.
 */
export async function mutateBooking(
  deps: Pick<BookingDependencies, "store">,
  id: string,
  change: (booking: Booking) => Booking | undefined,
  known?: StoredBooking,
): Promise<StoredBooking | undefined> {
  let first = known;
  for (let attempt = 1; ; attempt++) {
    const optimistic = first !== undefined;
    const current = first ?? (await deps.store.get(id));
    first = undefined;
    if (current === undefined) return undefined;
    const next = change(current.booking);
    if (next === undefined) {
      if (optimistic) {
        attempt--;
        continue;
      }
      return current;
    }
    try {
      return await deps.store.replace(next, current.etag, current.booking);
    } catch (error) {
      if (!isAppError(error) || error.code !== "precondition-failed" || attempt >= 5) throw error;
    }
  }
}

export function enqueueCommand(
  deps: Pick<BookingDependencies, "workQueue">,
  command: BookingCommand,
  notBefore?: Date,
): Promise<void> {
  return deps.workQueue.enqueue("booking-commands", {
    id: bookingCommandId(command),
    body: command,
    ...(notBefore === undefined ? {} : { notBefore }),
  });
}

/** The booking as mail templates take it (the first room; subject is escaped by the layout). */
export function mailBooking(
  b: Booking,
  room: Pick<Room, "id" | "displayName" | "timeZone"> | undefined,
): MailBooking {
  return {
    id: b.id,
    subject: b.subject,
    start: new Date(b.start).toISOString(),
    end: new Date(b.end).toISOString(),
    room: {
      id: room?.id ?? b.roomIds[0] ?? "",
      name: room?.displayName ?? b.roomIds[0] ?? "room",
      timeZone: room?.timeZone ?? b.timeZone,
    },
    ...(b.organizer.name === undefined || b.organizer.name.trim() === ""
      ? {}
      : { organizerName: b.organizer.name }),
  };
}

/** Whether `who` may see and act on the booking as its owner (organizer or the person who booked it). */
export function isOwner(b: Booking, who: { userId: string; email: string }): boolean {
  const email = who.email.toLowerCase();
  const same = (p: Booking["organizer"]): boolean =>
    (p.userId !== undefined && p.userId === who.userId) || (email !== "" && p.email.toLowerCase() === email);
  return same(b.organizer) || same(b.bookedBy);
}

export function isApprover(policies: readonly BookingPolicy[], email: string): boolean {
  const e = email.toLowerCase();
  return e !== "" && policies.some((p) => p.approval.approvers.some((a) => a.email.toLowerCase() === e));
}

export const view = (b: Booking): BookingView => bookingView(b);

import { randomUUID } from "node:crypto";
import { GraphCalendarGateway } from "../adapters/graph/graph-calendar-gateway";
import { GraphRoomEventGateway } from "../adapters/graph/graph-room-events";
import { TableApprovalIndex } from "../adapters/tables/table-approval-index";
import { TableBookingStore } from "../adapters/tables/table-booking-store";
import { TablePendingBookings } from "../adapters/tables/table-pending-bookings";
import { TablePolicyStore } from "../adapters/tables/table-policy-store";
import { TableRoomStore } from "../adapters/tables/table-rooms";
import {
  approveBooking as approveBookingUseCase,
  rejectBooking as rejectBookingUseCase,
} from "../app/bookings/approval";
import {
  listAwaitingApproval as listAwaitingApprovalUseCase,
  withApprovalIndex,
  type ApprovalRequestView,
  type ApprovalsQuery,
} from "../app/bookings/approvals-waiting";
import {
  processBookingCommand as processBookingCommandUseCase,
  type CommandOutcome,
} from "../app/bookings/booking-commands";
import { createBooking as createBookingUseCase } from "../app/bookings/create-booking";
import {
  recoverPendingBookings as recoverPendingBookingsUseCase,
  type RecoveryResult,
} from "../app/bookings/recover-pending";
import type { BookingDependencies } from "../app/bookings/dependencies";
import {
  cancelBooking as cancelBookingUseCase,
  editBooking as editBookingUseCase,
  getBooking as getBookingUseCase,
  listMyBookings as listMyBookingsUseCase,
  type BookingListQuery,
} from "../app/bookings/manage-booking";
import {
  publishRoomSchedules as publishRoomSchedulesUseCase,
  roomSchedule as roomScheduleUseCase,
  roomScheduleSnapshot as roomScheduleSnapshotUseCase,
} from "../app/bookings/room-schedule";
import {
  getRoom as getRoomUseCase,
  getRoomPolicy as getRoomPolicyUseCase,
  listPolicies as listPoliciesUseCase,
  listRooms as listRoomsUseCase,
  putRoomPolicy as putRoomPolicyUseCase,
  saveSharedPolicy as saveSharedPolicyUseCase,
  type RoomPolicySummary,
  type RoomQuery,
  type RoomView,
} from "../app/bookings/rooms";
import type { ScheduleSnapshot } from "../app/ports/realtime-publisher";
import type { Principal } from "../domain/auth/principal";
import type { BookingEdit, BookingView, NewBookingInput } from "../domain/bookings/booking";
import type { BookingCommand } from "../domain/bookings/commands";
import type { BookingPolicy, PolicyRules } from "../domain/bookings/policy";
import type { BusyBlock } from "../domain/bookings/schedule";
import type { PolicyStore } from "../app/ports/policy-store";
import { getServices, perWorker, type Services } from "./services";
import { gatewaysFor } from "./sync-wiring";

/**
 * Booking wiring: one ready function per use case, typed by ports and domain types. The dependency bag
 * is built per worker; its members are read from the services on first use, so a room query never
 * creates the Service Bus or Web PubSub client it does not need.
 */
const approvalIndex = perWorker((s) => new TableApprovalIndex(s.tables));

export const bookingDeps = perWorker((s) =>
  bookingDepsOf(s, new TablePolicyStore(s.tables), new TableRoomStore(s.tables)),
);

/**
 * How long the booking request path keeps a room's policy and its room record. A change made through
 * this instance of the app (a policy saved, the directory sync) applies at once; one made through
 * another instance, within this time.
 */
export const POLICY_CACHE_MS = 15_000;

/**
 * The bag of `POST /api/bookings` and of the `booking-commands` consumer (the two run for every
 * booking): the same ports, with each room and its policy kept for POLICY_CACHE_MS.
 */
const requestDeps = perWorker((s) => {
  const cache = { ttlMs: POLICY_CACHE_MS, now: () => s.now().getTime() };
  return bookingDepsOf(s, new TablePolicyStore(s.tables, cache), new TableRoomStore(s.tables, cache));
});

function bookingDepsOf(s: Services, policies: PolicyStore, rooms: TableRoomStore): BookingDependencies {
  // Every save of a booking keeps "approvals waiting for me" (table `bookingapprovals`) in step.
  const store = withApprovalIndex(new TableBookingStore(s.tables), approvalIndex());
  return {
    store,
    policies,
    rooms,
    get integration() {
      return s.integrationStore;
    },
    get userTokens() {
      return s.userTokens;
    },
    get crossDomain() {
      return s.crossDomain;
    },
    calendar: async () => {
      const gateways = await gatewaysFor(s);
      return new GraphCalendarGateway({ app: () => gateways.app(), user: (id) => gateways.user(id) });
    },
    declineRoomEvent: async (roomEmail, eventId, comment) =>
      new GraphRoomEventGateway((await gatewaysFor(s)).app()).decline(roomEmail, eventId, comment),
    get workQueue() {
      return s.workQueue;
    },
    get realtime() {
      return s.realtime;
    },
    now: () => s.now(),
    newId: () => randomUUID(),
  };
}

/** The booking engine's dependencies, for other areas' use cases that act through it (calendar sync, displays). */
export const bookingDependencies = (): BookingDependencies => bookingDeps();

export const createBooking = (principal: Principal, input: NewBookingInput): Promise<BookingView> =>
  createBookingUseCase(requestDeps(), principal, input);

export const getBooking = (principal: Principal, id: string): Promise<BookingView> =>
  getBookingUseCase(bookingDeps(), principal, id);

export const listMyBookings = (
  principal: Principal,
  query: BookingListQuery,
): Promise<{ items: BookingView[]; cursor?: string }> =>
  listMyBookingsUseCase(bookingDeps(), principal, query);

export const editBooking = (principal: Principal, id: string, edit: BookingEdit): Promise<BookingView> =>
  editBookingUseCase(bookingDeps(), principal, id, edit);

export const cancelBooking = (principal: Principal, id: string, occurrence?: string): Promise<BookingView> =>
  cancelBookingUseCase(bookingDeps(), principal, id, occurrence);

export const approveBooking = (principal: Principal, id: string): Promise<BookingView> =>
  approveBookingUseCase(bookingDeps(), principal, id);

export const rejectBooking = (principal: Principal, id: string, reason: string): Promise<BookingView> =>
  rejectBookingUseCase(bookingDeps(), principal, id, reason);

/** GET /api/bookings/approvals: the requests awaiting the person's decision, soonest first, paged. */
export const listAwaitingApproval = (
  principal: Principal,
  query: ApprovalsQuery,
): Promise<{ items: ApprovalRequestView[]; cursor?: string }> =>
  listAwaitingApprovalUseCase({ ...bookingDeps(), approvals: approvalIndex() }, principal, query);

export const processBookingCommand = (
  command: BookingCommand,
  log?: (m: string) => void,
): Promise<CommandOutcome> =>
  processBookingCommandUseCase(log === undefined ? requestDeps() : { ...requestDeps(), log }, command);

export const listRooms = (query: RoomQuery): Promise<{ items: RoomView[]; cursor?: string }> =>
  listRoomsUseCase(bookingDeps(), query);

export const getRoom = (roomId: string): Promise<RoomView & { policy: RoomPolicySummary }> =>
  getRoomUseCase(bookingDeps(), roomId);

export const roomSchedule = (
  roomId: string,
  window: { from: number; to: number },
): Promise<{ roomId: string; timeZone: string; from: string; to: string; items: BusyBlock[] }> =>
  roomScheduleUseCase(bookingDeps(), roomId, window);

/** A room display's snapshot (today and tomorrow, privacy applied, the room's schedule version). */
export const roomScheduleSnapshot = (roomId: string): Promise<ScheduleSnapshot> =>
  roomScheduleSnapshotUseCase(bookingDeps(), roomId);

/** Publishes the rooms' snapshots through the RealtimePublisher (best effort). */
export const publishRoomSchedules = (roomIds: readonly string[]): Promise<void> =>
  publishRoomSchedulesUseCase(bookingDeps(), roomIds);

export const getRoomPolicy = (roomId: string): Promise<BookingPolicy & { own: boolean }> =>
  getRoomPolicyUseCase(bookingDeps(), roomId);

export const putRoomPolicy = (roomId: string, rules: PolicyRules): Promise<BookingPolicy> =>
  putRoomPolicyUseCase(bookingDeps(), roomId, rules);

export const listPolicies = (): Promise<BookingPolicy[]> => listPoliciesUseCase(bookingDeps());

export const saveSharedPolicy = (
  id: string | undefined,
  rules: PolicyRules,
  roomIds: readonly string[],
): Promise<BookingPolicy> => saveSharedPolicyUseCase(bookingDeps(), id, rules, roomIds);

/** The recovery sweep: queues the command again for pending bookings nothing has moved on. */
export const recoverPendingBookings = (log?: (m: string) => void): Promise<RecoveryResult> =>
  recoverPendingBookingsUseCase({
    ...bookingDeps(),
    ...(log === undefined ? {} : { log }),
    pending: new TablePendingBookings(getServices().tables),
  });

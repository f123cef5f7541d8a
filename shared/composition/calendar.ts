import { GraphRoomEventGateway } from "../adapters/graph/graph-room-events";
import { TableRoomEventIndex } from "../adapters/tables/table-room-events";
import { GraphRoomCalendarReader } from "../adapters/graph/graph-room-calendar-reader";
import { GraphUserRoomCalendarReader } from "../adapters/graph/graph-user-room-calendar-reader";
import { GraphSubscriptionGateway } from "../adapters/graph/graph-subscription-gateway";
import { TableRoomSubscriptionStore } from "../adapters/tables/table-room-subscriptions";
import {
  TableRejectedNotificationCounter,
  TableRoomSyncStateStore,
} from "../adapters/tables/table-room-sync-state";
import { TableRoomStore } from "../adapters/tables/table-rooms";
import {
  acceptChangeNotifications,
  acceptLifecycleNotifications,
  type IntakeDependencies,
  type IntakeResult,
} from "../app/calendar/accept-notifications";
import { newClientState } from "../app/calendar/client-state";
import { bookingSink, type BookingSinkDependencies } from "../app/calendar/booking-sink";
import { pollRooms, resyncRoomByPoll, type PollCounts, type PollDependencies } from "../app/calendar/poll";
import {
  processCalendarChange,
  type CalendarChangeDependencies,
  type CalendarChangeOutcome,
} from "../app/calendar/process-calendar-change";
import { reconcileRooms, type ReconcileCounts } from "../app/calendar/reconcile";
import { requestRoomResync, roomSyncStatus, type RoomSyncStatusPage } from "../app/calendar/room-sync-status";
import {
  maintainSubscriptions,
  type SubscriptionDependencies,
  type SubscriptionRunCounts,
} from "../app/calendar/subscriptions";
import type { RoomsSyncedHook } from "../app/ports/room-deactivation-hook";
import type { HoldClaims } from "../app/ports/hold-claims";
import type { RoomCalendarSink } from "../app/ports/room-calendars";
import { schedulePeriodMs } from "../domain/calendar/poll-schedule";
import { AppError } from "../domain/errors";
import type { IntegrationMode } from "../domain/integration/modes";
import type {
  CalendarChangeMessage,
  ChangeNotification,
  LifecycleNotification,
} from "../domain/calendar/calendar-change";
import { bookingDependencies } from "./bookings";
import { holdClaims } from "./holds";
import { getServices, type Services } from "./services";
import { gatewaysFor } from "./sync-wiring";

type Log = (message: string) => void;

/** The Outlook-to-ONES use cases, each ready to call (the HTTP, timer and queue edges use these). */
export interface CalendarUseCases {
  acceptNotifications(notifications: readonly ChangeNotification[]): Promise<IntakeResult>;
  acceptLifecycle(notifications: readonly LifecycleNotification[]): Promise<IntakeResult>;
  maintainSubscriptions(log?: Log): Promise<SubscriptionRunCounts | "not-applicable">;
  processCalendarChange(message: CalendarChangeMessage, log?: Log): Promise<CalendarChangeOutcome>;
  /** The `calendar-reconcile` timer: each room's coming days compared with ONES's copy, drift repaired. */
  reconcile(log?: Log): Promise<ReconcileCounts | "not-applicable">;
  /** The `calendar-poll` timer (delegated modes): each room's calendar read with a sharing user's token. */
  poll(log?: Log): Promise<PollCounts | "not-applicable">;
  roomSyncStatus(page: { limit: number; continuation?: string }): Promise<RoomSyncStatusPage>;
  requestRoomResync(roomId: string): Promise<{ roomId: string; messageId: string }>;
  /** The rooms sync's follow-up: subscriptions for new rooms, none for gone ones. */
  readonly roomsSynced: RoomsSyncedHook;
}

export interface CalendarOverrides {
  readonly now?: () => Date;
  /** Where room calendars go once read (default: the booking store's sink). */
  readonly sink?: RoomCalendarSink;
  /** The Outlook add-in's holds, claimed by new Outlook bookings (default: the hold store's). */
  readonly holds?: HoldClaims;
  /**
   * The span the poll spreads rooms over, and how it waits (default: half the
   * CALENDAR_POLL_SCHEDULE period, so a run ends well before the next one; real timers). Tests pass 0 to read every room at once.
   */
  readonly pollSpreadMs?: number;
}

const isDelegated = (mode: IntegrationMode | undefined): boolean =>
  mode === "delegated" || mode === "delegated-resource-only";

/** Rooms a poll run reads at once. */
const POLL_CONCURRENCY = 8;

const memo = new WeakMap<Services, CalendarUseCases>();

/**
 * Wires the calendar use cases to the worker's adapters: the subscription rows (cached per worker for
 * the intake), per-room bookkeeping, the Graph gateways of the integration's cloud with the worker's
 * shared per-mailbox limiter, and the work queue. Built once per services object.
 */
export function calendarUseCases(services: Services, overrides: CalendarOverrides = {}): CalendarUseCases {
  const known = Object.keys(overrides).length === 0 ? memo.get(services) : undefined;
  if (known !== undefined) return known;
  const now = overrides.now ?? services.now;
  const settings = services.settings;
  let subscriptionStore: TableRoomSubscriptionStore | undefined;
  let roomState: TableRoomSyncStateStore | undefined;
  let rejected: TableRejectedNotificationCounter | undefined;
  let rooms: TableRoomStore | undefined;
  const store = () => (subscriptionStore ??= new TableRoomSubscriptionStore(services.tables));
  const state = () => (roomState ??= new TableRoomSyncStateStore(services.tables));
  const counter = () => (rejected ??= new TableRejectedNotificationCounter(services.tables));
  const roomStore = () => (rooms ??= new TableRoomStore(services.tables));
  const links = new TableRoomEventIndex(services.tables);
  const sinkWith = (events: BookingSinkDependencies["events"]): RoomCalendarSink =>
    bookingSink({
      get bookings() {
        return now === services.now ? bookingDependencies() : { ...bookingDependencies(), now };
      },
      links,
      events,
      holds: overrides.holds ?? holdClaims(),
      roomState: state(),
    });
  const sink =
    overrides.sink ?? sinkWith(async () => new GraphRoomEventGateway((await gatewaysFor(services)).app()));
  // Delegated polling: the same sink, reading room events with the polling user's token.
  const userSink = (userId: string): RoomCalendarSink =>
    overrides.sink ??
    sinkWith(async () => new GraphRoomEventGateway((await gatewaysFor(services)).user(userId)));
  const pollSpreadMs =
    overrides.pollSpreadMs ?? 0.5 * (schedulePeriodMs(settings.CALENDAR_POLL_SCHEDULE) ?? 60_000);

  const intake = (): IntakeDependencies => ({
    subscriptions: store(),
    workQueue: services.workQueue,
    rejected: counter(),
    now,
  });
  const base = settings.APP_BASE_URL.replace(/\/+$/, "");
  const subscriptionDeps = async (log?: Log): Promise<SubscriptionDependencies> => {
    const app = (await gatewaysFor(services)).app();
    return {
      integration: services.integrationStore,
      rooms: roomStore(),
      subscriptions: store(),
      gateway: new GraphSubscriptionGateway(app, now),
      roomState: state(),
      workQueue: services.workQueue,
      notificationUrl: `${base}/api/graph/notifications`,
      lifecycleNotificationUrl: `${base}/api/graph/lifecycle`,
      lifetimeMinutes: settings.SUBSCRIPTION_LIFETIME_MINUTES,
      now,
      newClientState,
      ...(log === undefined ? {} : { log }),
    };
  };
  const pollDeps = async (log?: Log): Promise<PollDependencies> => {
    const gateways = await gatewaysFor(services);
    return {
      rooms: roomStore(),
      reader: new GraphUserRoomCalendarReader((userId) => gateways.user(userId)),
      users: services.graphTokens,
      sinkFor: userSink,
      roomState: state(),
      windowDays: settings.CALENDAR_SYNC_DAYS,
      spreadMs: pollSpreadMs,
      concurrency: POLL_CONCURRENCY,
      now,
      wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...(log === undefined ? {} : { log }),
    };
  };
  const changeDeps = async (log?: Log): Promise<CalendarChangeDependencies> => {
    const subscriptions = await subscriptionDeps(log);
    return {
      rooms: roomStore(),
      reader: new GraphRoomCalendarReader((await gatewaysFor(services)).app()),
      sink,
      roomState: state(),
      subscriptions,
      windowDays: settings.CALENDAR_SYNC_DAYS,
      now,
      ...(log === undefined ? {} : { log }),
    };
  };

  const useCases: CalendarUseCases = {
    acceptNotifications: (n) => acceptChangeNotifications(intake(), n),
    acceptLifecycle: (n) => acceptLifecycleNotifications(intake(), n),
    maintainSubscriptions: async (log) => maintainSubscriptions(await subscriptionDeps(log)),
    processCalendarChange: async (message, log) => {
      // Delegated modes have no app token for room calendars: a resync is a full poll of the room.
      if (message.kind === "room-resync" && isDelegated((await services.integrationStore.get())?.mode)) {
        const room = await roomStore().room(message.roomId);
        if (room === undefined) return { outcome: "room-unknown" };
        if (!room.active) return { outcome: "room-inactive" };
        const polled = await resyncRoomByPoll(await pollDeps(log), room);
        if (polled.kind === "no-sharing-user")
          throw new AppError("forbidden", "No signed-in ONES user may read this room's calendar.");
        const { kind: _read, ...counts } = polled;
        return { outcome: "read", ...counts };
      }
      return processCalendarChange(await changeDeps(log), message);
    },
    reconcile: async (log) => {
      const mode = (await services.integrationStore.get())?.mode;
      if (mode !== "application" && mode !== "application-resource-only") return "not-applicable";
      return reconcileRooms({
        rooms: roomStore(),
        reader: new GraphRoomCalendarReader((await gatewaysFor(services)).app()),
        sink,
        slots: bookingDependencies().store,
        roomState: state(),
        days: settings.CALENDAR_RECONCILE_DAYS,
        now,
        ...(log === undefined ? {} : { log }),
      });
    },
    poll: async (log) => {
      if (!isDelegated((await services.integrationStore.get())?.mode)) return "not-applicable";
      return pollRooms(await pollDeps(log));
    },
    roomSyncStatus: (page) => roomSyncStatus({ roomState: state(), rejected: counter() }, page),
    requestRoomResync: (roomId) =>
      requestRoomResync({ rooms: roomStore(), workQueue: services.workQueue, now }, roomId),
    roomsSynced: {
      roomsSynced: async () => {
        await maintainSubscriptions(await subscriptionDeps(), { onlyMissing: true });
      },
    },
  };
  if (Object.keys(overrides).length === 0) memo.set(services, useCases);
  return useCases;
}

// One ready function per use case, on the worker's services.
export const acceptNotifications: CalendarUseCases["acceptNotifications"] = (n) =>
  calendarUseCases(getServices()).acceptNotifications(n);
export const acceptLifecycle: CalendarUseCases["acceptLifecycle"] = (n) =>
  calendarUseCases(getServices()).acceptLifecycle(n);
export const renewSubscriptions: CalendarUseCases["maintainSubscriptions"] = (log) =>
  calendarUseCases(getServices()).maintainSubscriptions(log);
export const handleCalendarChange: CalendarUseCases["processCalendarChange"] = (message, log) =>
  calendarUseCases(getServices()).processCalendarChange(message, log);
export const reconcileRoomCalendars: CalendarUseCases["reconcile"] = (log) =>
  calendarUseCases(getServices()).reconcile(log);
export const pollRoomCalendars: CalendarUseCases["poll"] = (log) => calendarUseCases(getServices()).poll(log);
export const getRoomSyncStatus: CalendarUseCases["roomSyncStatus"] = (page) =>
  calendarUseCases(getServices()).roomSyncStatus(page);
export const resyncRoom: CalendarUseCases["requestRoomResync"] = (roomId) =>
  calendarUseCases(getServices()).requestRoomResync(roomId);

/**
 * Scales measured operation counts (operations.ts) to a large tenant and a day: per timer and consumer,
 * per room per day, and the peak rates compared with Graph's and Table Storage's documented limits.
 * The schedules below are the app's defaults (shared/config/sections, local.settings.example.json).
 */
import { SUBSCRIPTION_CONCURRENCY } from "../../shared/app/calendar/subscriptions";
import type { Cost, Measurement } from "./operations";

export interface Load {
  readonly rooms: number;
  readonly users: number;
  readonly groups: number;
  readonly bookingsPerRoomDay: number;
  /** Bookings crowd into business hours: this many hours, at this factor above their average at the peak. */
  readonly businessHours: number;
  readonly peakFactor: number;
  /** Share of people whose directory record changes in a day (modelled, not measured). */
  readonly directoryChangesPerDay: number;
}

export const DEFAULT_LOAD: Load = {
  rooms: 10_000,
  users: 200_000,
  groups: 20_000,
  bookingsPerRoomDay: 20,
  businessHours: 8,
  peakFactor: 2,
  directoryChangesPerDay: 0.01,
};

/** The app's default schedules and constants that decide how often each piece of work runs. */
export interface Schedule {
  readonly subscriptionsRenewMinutes: number;
  readonly subscriptionLifetimeMinutes: number;
  readonly reconcileMinutes: number;
  readonly roomsSyncMinutes: number;
  readonly directorySyncMinutes: number;
  readonly displayHeartbeatSeconds: number;
  readonly displayHealthMinutes: number;
  readonly calendarPollMinutes: number;
  readonly otherTimerRunsPerDay: number;
  readonly subscriptionConcurrency: number;
  readonly roomListsAtScale: number;
  readonly httpConcurrencyPerInstance: number;
  readonly queueConcurrencyPerInstance: number;
  /** Rooms a timer works on at once in one execution (their waits overlap in the billed time). */
  readonly timerRoomConcurrency: number;
}

export const SCHEDULE: Schedule = {
  subscriptionsRenewMinutes: 30,
  subscriptionLifetimeMinutes: 4_200,
  reconcileMinutes: 15,
  roomsSyncMinutes: 60,
  directorySyncMinutes: 15,
  /** web/display/main.ts HEARTBEAT_MS. */
  displayHeartbeatSeconds: 300,
  displayHealthMinutes: 5,
  calendarPollMinutes: 1,
  /** Timers that do fixed work per run whatever the size: holds-expire (1 min), bookings-recovery (5 min), housekeeping, secret-expiry. */
  otherTimerRunsPerDay: 1_440 + 288 + 1 + 1,
  /** Rooms worked on at a time by the subscription timer (subscriptions.ts). */
  subscriptionConcurrency: SUBSCRIPTION_CONCURRENCY,
  roomListsAtScale: 20,
  /** HTTP executions one Flex Consumption instance runs at once (its default per-instance concurrency; to be checked). */
  httpConcurrencyPerInstance: 16,
  /** host.json serviceBus.maxConcurrentCalls. */
  queueConcurrencyPerInstance: 16,
  timerRoomConcurrency: 4,
};

/** Typical latencies from an Azure Functions instance in the same region (assumptions, see docs/cost.md). */
export const LATENCY = { graphSeconds: 0.2, tableSeconds: 0.015, overheadSeconds: 0.05 } as const;

/** Documented limits (sources in docs/cost.md and shared/reference/graph-facts.md). */
export const LIMITS = {
  mailboxRequestsPer10Min: 10_000,
  mailboxConcurrent: 4,
  graphAppRequestsPer10s: 130_000,
  subscriptionWritesPer20s: 1_000,
  subscriptionRequestsPer20s: 5_000,
  identityUnitsPer10s: 8_000,
  tableAccountEntitiesPerSecond: 20_000,
  tablePartitionEntitiesPerSecond: 2_000,
} as const;

/** What one line of work costs per room per day at the load. */
export interface DailyLine {
  readonly name: string;
  readonly measured: boolean;
  graph: number;
  tableRequests: number;
  tableEntities: number;
  queueMessages: number;
  publishes: number;
  executions: number;
  /** Seconds of function execution (for GB-s). */
  executionSeconds: number;
}

export interface ScaledCost {
  graph: number;
  tableRequests: number;
  tableEntities: number;
  /** Entities by shared partition (per-room partitions are left out: they scale with nothing). */
  sharedPartitions: Record<string, number>;
  queueMessages: number;
  publishes: number;
  executions: number;
  graphMaxPerMailbox: number;
}

const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));

/**
 * Scales one phase measured on `measured` rooms to `load.rooms`. "per-room" phases do the same work for
 * every room (it grows with the rooms); "per-run" phases do bookkeeping once per run, plus reading
 * shared lists whose pages grow with the rooms. Paged Graph requests grow with their pages.
 */
export function scaleCost(
  cost: Cost,
  mode: "per-room" | "per-run",
  measuredRooms: number,
  load: Load,
): ScaledCost {
  const r = measuredRooms;
  const f = load.rooms / r;
  let graph = 0;
  for (const [shape, n] of Object.entries(cost.graphByPath)) {
    if (/\/places\/microsoft\.graph\.roomList$/.test(shape)) graph += n;
    else if (/\/places\/\{list\}\/rooms/.test(shape))
      graph += n * (SCHEDULE.roomListsAtScale / Math.min(r, SCHEDULE.roomListsAtScale));
    else if (/\/places\/microsoft\.graph\.room$/.test(shape))
      graph += n * (pages(load.rooms, 999) / pages(r, 999));
    else if (/getSchedule/.test(shape)) graph += n * (pages(load.rooms, 100) / pages(r, 100));
    else graph += mode === "per-room" ? n * f : n;
  }
  const shared: Record<string, number> = {};
  let queryRequests = 0;
  let queryRows = 0;
  let measuredQueryRequests = 0;
  for (const [key, q] of Object.entries(cost.tableQueries)) {
    measuredQueryRequests += q.requests;
    const perRoom = key.includes("{room}");
    // Rows read grow with the rooms in either mode (a run lists every room's row).
    const rows = q.rows * f;
    const requests = perRoom ? q.requests * f : q.requests * pages(rows / q.requests, 1_000);
    queryRequests += requests;
    queryRows += rows;
    if (!perRoom) shared[key] = (shared[key] ?? 0) + rows;
  }
  let pointEntities = 0;
  for (const [key, n] of Object.entries(cost.tableByPartition)) {
    const perRoom = key.includes("{room}");
    const scaled = perRoom || mode === "per-room" ? n * f : n;
    pointEntities += scaled;
    if (!perRoom) shared[key] = (shared[key] ?? 0) + scaled;
  }
  const pointRequests = (cost.tableRequests - measuredQueryRequests) * (mode === "per-room" ? f : 1);
  return {
    graph,
    tableRequests: pointRequests + queryRequests,
    tableEntities: pointEntities + queryRows,
    sharedPartitions: shared,
    queueMessages: cost.queueMessages * (mode === "per-room" ? f : 1),
    publishes: cost.publishes * (mode === "per-room" ? f : 1),
    executions: cost.executions * (mode === "per-room" && cost.executions > 1 ? f : 1),
    graphMaxPerMailbox: cost.graphMaxPerMailbox,
  };
}

/** Mean renewals of one room's subscription per day: due at half the lifetime less a mean offset of an eighth, found by the next run. */
export function renewalsPerRoomDay(schedule: Schedule = SCHEDULE): number {
  const interval =
    schedule.subscriptionLifetimeMinutes * (0.5 - 0.125) + schedule.subscriptionsRenewMinutes / 2;
  return 1_440 / interval;
}

export interface CapacityModel {
  readonly load: Load;
  readonly lines: DailyLine[];
  /** Application modes (notifications and reconcile) and delegated modes (polling instead). */
  readonly totals: { application: DailyLine; delegated: DailyLine };
  readonly headroom: Headroom[];
  /** Instance time per room per day billed however little runs: an instance kept busy by heartbeats. */
  readonly instanceFloorSecondsPerRoom: number;
}

export interface Headroom {
  readonly limit: string;
  readonly demand: number;
  readonly capacity: number;
  readonly unit: string;
  readonly ratio: number;
  readonly note: string;
}

const perDay = (minutes: number): number => 1_440 / minutes;

/** An empty line of daily work, to add measured phases to. */
export function line(name: string, measured: boolean): DailyLine {
  return {
    name,
    measured,
    graph: 0,
    tableRequests: 0,
    tableEntities: 0,
    queueMessages: 0,
    publishes: 0,
    executions: 0,
    executionSeconds: 0,
  };
}

/** Adds `times` × a scaled phase, spread over the rooms, to a line. */
function add(target: DailyLine, s: ScaledCost, times: number, rooms: number): void {
  target.graph += (s.graph * times) / rooms;
  target.tableRequests += (s.tableRequests * times) / rooms;
  target.tableEntities += (s.tableEntities * times) / rooms;
  target.queueMessages += (s.queueMessages * times) / rooms;
  target.publishes += (s.publishes * times) / rooms;
  target.executions += (s.executions * times) / rooms;
}

export function capacityModel(
  m: Measurement,
  load: Load = DEFAULT_LOAD,
  schedule: Schedule = SCHEDULE,
): CapacityModel {
  const SCHEDULE = schedule;
  const p = m.phases;
  const R = load.rooms;
  const per = (c: Cost) => scaleCost(c, "per-room", m.tenant.rooms, load);
  const run = (c: Cost) => scaleCost(c, "per-run", m.tenant.rooms, load);
  // The display phases were measured with one display.
  const perDisplay = (c: Cost) => scaleCost(c, "per-room", 1, load);
  const bookingsPerRoomMeasured = m.bookingsMeasured / m.tenant.rooms;
  // Per publish (read of the room's day and policy): moved from the consumers to the display line.
  const publish = per(p.publishAll);
  const publishPer = {
    tableRequests: publish.tableRequests / Math.max(1, publish.publishes),
    tableEntities: publish.tableEntities / Math.max(1, publish.publishes),
  };

  const renewal = line(
    `subscription renewal (subscriptions-renew, every ${SCHEDULE.subscriptionsRenewMinutes} min)`,
    true,
  );
  add(renewal, per(p.subscriptionsRenewAll), renewalsPerRoomDay(schedule), R);
  add(renewal, run(p.subscriptionsIdleRun), perDay(SCHEDULE.subscriptionsRenewMinutes), R);
  renewal.executions = perDay(SCHEDULE.subscriptionsRenewMinutes) / R;

  const reconcile = line(`calendar-reconcile (every ${SCHEDULE.reconcileMinutes} min, 14 days ahead)`, true);
  add(reconcile, per(p.reconcile), perDay(SCHEDULE.reconcileMinutes), R);

  const changes = line(
    `calendar-changes (${load.bookingsPerRoomDay} Outlook bookings per room per day, webhook and consumer)`,
    true,
  );
  add(changes, per(p.bookingChanges), load.bookingsPerRoomDay / bookingsPerRoomMeasured, R);
  // The day's first read of a room is a full read of its window (the UTC day moved on).
  add(changes, per(p.initialFullRead), 1, R);

  const display = line(
    `displays (snapshot publishes, heartbeat every ${SCHEDULE.displayHeartbeatSeconds} s, display-health every ${SCHEDULE.displayHealthMinutes} min; one display per room)`,
    true,
  );
  const publishes = changes.publishes + reconcile.publishes;
  for (const from of [changes, reconcile]) {
    from.tableRequests -= from.publishes * publishPer.tableRequests;
    from.tableEntities -= from.publishes * publishPer.tableEntities;
  }
  display.publishes = publishes;
  display.tableRequests += publishes * publishPer.tableRequests;
  display.tableEntities += publishes * publishPer.tableEntities;
  const heartbeatsPerDay = 86_400 / SCHEDULE.displayHeartbeatSeconds;
  add(display, perDisplay(p.heartbeat), heartbeatsPerDay, R);
  add(display, perDisplay(p.displayHealthRun), perDay(SCHEDULE.displayHealthMinutes), R);
  display.executions = heartbeatsPerDay + perDay(SCHEDULE.displayHealthMinutes) / R;

  const rooms = line("rooms sync (hourly, nothing changed)", true);
  add(rooms, run(p.roomsSyncIncremental), perDay(SCHEDULE.roomsSyncMinutes), R);
  const directory = line(
    `directory sync (every 15 min; ${load.directoryChangesPerDay * 100}% of people changed a day, modelled)`,
    true,
  );
  add(directory, run(p.directorySyncIncremental), perDay(SCHEDULE.directorySyncMinutes), R);
  const changedPeople = load.users * load.directoryChangesPerDay;
  directory.tableEntities += changedPeople / R;
  directory.tableRequests += Math.ceil(changedPeople / 100) / R;

  const other = line(
    "other timers (holds-expire, bookings-recovery, housekeeping, secret-expiry: executions only)",
    false,
  );
  other.executions = SCHEDULE.otherTimerRunsPerDay / R;

  // Delegated modes poll each room with calendarView/delta every minute instead of notifications,
  // subscriptions and reconcile: one request and the room's record read and written per poll.
  const poll = line(
    "calendar-poll (delegated modes, every minute; MODELLED from the design, not measured)",
    false,
  );
  poll.graph = perDay(SCHEDULE.calendarPollMinutes);
  poll.tableRequests = 2 * perDay(SCHEDULE.calendarPollMinutes);
  poll.tableEntities = 2 * perDay(SCHEDULE.calendarPollMinutes);
  poll.executions = perDay(SCHEDULE.calendarPollMinutes) / R;

  // Billed time from the counted calls at typical in-region latencies (the local wall time, with the
  // simulator and Azurite on the same shared cores, is no guide): calls of one execution run one after
  // another, except where a timer works on several rooms at once or an instance serves several HTTP calls.
  const billed = (l: DailyLine, overlap: number): number =>
    (l.graph * LATENCY.graphSeconds +
      l.tableRequests * LATENCY.tableSeconds +
      l.executions * LATENCY.overheadSeconds) /
    overlap;
  renewal.executionSeconds = billed(renewal, SCHEDULE.subscriptionConcurrency);
  reconcile.executionSeconds = billed(reconcile, SCHEDULE.timerRoomConcurrency);
  // The consumer runs up to maxConcurrentCalls (host.json: 16) messages per instance: at the busiest
  // hour as many overlap as arrive during one message's time.
  const messageSeconds = billed(changes, 1) / Math.max(1, changes.executions);
  const arrivals = (changes.executions * R * load.peakFactor) / (load.businessHours * 3_600);
  changes.executionSeconds =
    billed(changes, 1) /
    Math.min(SCHEDULE.queueConcurrencyPerInstance, Math.max(1, arrivals * messageSeconds));
  display.executionSeconds = billed(display, SCHEDULE.httpConcurrencyPerInstance);
  rooms.executionSeconds = billed(rooms, 1);
  directory.executionSeconds = billed(directory, 1);
  other.executionSeconds = other.executions * LATENCY.overheadSeconds * 2;
  poll.executionSeconds = billed(poll, SCHEDULE.timerRoomConcurrency);

  // Heartbeats arrive all day from every display: an instance is hardly ever idle, and Flex Consumption
  // bills an instance for as long as anything runs on it. Its day is the floor of the billed time.
  const heartbeatSeconds = 2 * LATENCY.tableSeconds + LATENCY.overheadSeconds;
  const busy = Math.min(1, (R / SCHEDULE.displayHeartbeatSeconds) * heartbeatSeconds);
  const instanceFloorSecondsPerRoom = (86_400 * busy) / R;

  const lines = [renewal, reconcile, changes, display, rooms, directory, other, poll];
  const sum = (name: string, parts: DailyLine[]): DailyLine => {
    const t = line(name, true);
    for (const l of parts) {
      t.graph += l.graph;
      t.tableRequests += l.tableRequests;
      t.tableEntities += l.tableEntities;
      t.queueMessages += l.queueMessages;
      t.publishes += l.publishes;
      t.executions += l.executions;
      t.executionSeconds += l.executionSeconds;
    }
    return t;
  };
  const totals = {
    application: sum("total, application modes", [
      renewal,
      reconcile,
      changes,
      display,
      rooms,
      directory,
      other,
    ]),
    delegated: sum("total, delegated modes", [poll, changes, display, rooms, directory, other]),
  };
  return {
    load,
    lines,
    totals,
    headroom: headroom(m, load, schedule, { renewal, reconcile, changes, display, poll }),
    instanceFloorSecondsPerRoom,
  };
}

function headroom(
  m: Measurement,
  load: Load,
  SCHEDULE: Schedule,
  l: { renewal: DailyLine; reconcile: DailyLine; changes: DailyLine; display: DailyLine; poll: DailyLine },
): Headroom[] {
  const p = m.phases;
  const R = load.rooms;
  const bookingsPerRoomMeasured = m.bookingsMeasured / m.tenant.rooms;
  const out: Headroom[] = [];
  const push = (limit: string, demand: number, capacity: number, unit: string, note: string) =>
    out.push({ limit, demand, capacity, unit, ratio: capacity / Math.max(demand, 1e-9), note });

  // One mailbox's busiest 10 minutes: a reconcile run, a renewal, the day's full read and every booking
  // of its day in the same 10 minutes, plus a minute poll (delegated) — all counted per mailbox.
  const mailbox =
    p.reconcile.graphMaxPerMailbox +
    p.subscriptionsRenewAll.graphMaxPerMailbox +
    p.initialFullRead.graphMaxPerMailbox +
    (p.bookingChanges.graphMaxPerMailbox * load.bookingsPerRoomDay) / bookingsPerRoomMeasured +
    10;
  push(
    "Outlook: requests per app per mailbox (10 min)",
    mailbox,
    LIMITS.mailboxRequestsPer10Min,
    "requests",
    "worst case: a reconcile run, a renewal, the day's full read, all 20 bookings of the day and 10 polls in one 10-minute window",
  );

  // The tenant's Graph rate at the busiest time: timers spread over their period, bookings at their peak.
  const bookingSeconds = load.businessHours * 3_600;
  const bookingRate = (l.changes.graph * R * load.peakFactor * 86_400) / bookingSeconds / 86_400;
  const timerRate = ((l.reconcile.graph + l.renewal.graph) * R) / 86_400;
  const appPer10s = (bookingRate + timerRate) * 10;
  push(
    "Graph: requests per app across all tenants (10 s)",
    appPer10s,
    LIMITS.graphAppRequestsPer10s,
    "requests",
    `application modes at peak (bookings in ${load.businessHours} h at ${load.peakFactor}× their mean, timers spread over their period); the limit is shared by every tenant of the app`,
  );
  const pollPer10s = ((l.poll.graph + l.changes.graph) * R * 10) / 86_400;
  push(
    "Graph: the same, delegated modes (polling)",
    pollPer10s,
    LIMITS.graphAppRequestsPer10s,
    "requests",
    "one calendarView/delta per room per minute (modelled) plus the booking reads",
  );

  // Subscription writes per 20 s: the renewal timer renews a few rooms at a time.
  const renewLatency =
    p.subscriptionsRenewAll.wallMs / 1000 / Math.max(1, m.tenant.rooms / SCHEDULE.subscriptionConcurrency);
  const latency = Math.max(0.15, renewLatency);
  const writesAtSpeed = (SCHEDULE.subscriptionConcurrency * 20) / latency;
  const duePerRun = (R * renewalsPerRoomDay(SCHEDULE)) / perDay(SCHEDULE.subscriptionsRenewMinutes);
  push(
    "Graph subscriptions: writes per app per tenant (20 s), steady renewals",
    Math.min(duePerRun, writesAtSpeed),
    LIMITS.subscriptionWritesPer20s,
    "writes",
    `${duePerRun.toFixed(0)} renewals due per run, ${SCHEDULE.subscriptionConcurrency} at a time, ${latency.toFixed(2)} s each (measured, at least 0.15 s)`,
  );
  push(
    "Graph subscriptions: writes per app per tenant (20 s), onboarding every room at once",
    writesAtSpeed,
    LIMITS.subscriptionWritesPer20s,
    "writes",
    `${R} rooms subscribed ${SCHEDULE.subscriptionConcurrency} at a time at ${latency.toFixed(2)} s per call`,
  );

  // Directory: a full sync pages users and groups (999 a page) one page after another.
  const dirLatency = Math.max(
    0.2,
    p.directorySyncFull.wallMs / 1000 / Math.max(1, p.directorySyncFull.graph),
  );
  const unitsPer10s = (10 / dirLatency) * 2;
  push(
    "Entra ID: resource units per app per tenant (10 s, L tenant), full directory sync",
    unitsPer10s,
    LIMITS.identityUnitsPer10s,
    "units",
    `one delta page at a time, ${dirLatency.toFixed(2)} s a page (measured, at least 0.2 s), 2 units a request`,
  );

  // Table Storage: entities per second at the busiest time.
  const dayRate = (x: DailyLine) => (x.tableEntities * R) / 86_400;
  const accountPeak =
    dayRate(l.renewal) +
    dayRate(l.reconcile) +
    (dayRate(l.changes) * load.peakFactor * 24) / load.businessHours +
    dayRate(l.display);
  push(
    "Table Storage: entities per second per account",
    accountPeak,
    LIMITS.tableAccountEntitiesPerSecond,
    "entities/s",
    "application modes at peak; timers spread over their period",
  );
  const delegatedPeak = accountPeak - dayRate(l.renewal) - dayRate(l.reconcile) + dayRate(l.poll);
  push(
    "Table Storage: the same, delegated modes (polling)",
    delegatedPeak,
    LIMITS.tableAccountEntitiesPerSecond,
    "entities/s",
    "polling modelled at 2 entities per poll",
  );

  // The hottest shared partition: each phase's entities in it, at the rate its schedule needs.
  const hot = new Map<string, number>();
  const spread = (
    c: Cost,
    mode: "per-room" | "per-run",
    perSecond: number,
    measuredRooms = m.tenant.rooms,
  ) => {
    for (const [key, n] of Object.entries(scaleCost(c, mode, measuredRooms, load).sharedPartitions))
      hot.set(key, (hot.get(key) ?? 0) + n * perSecond);
  };
  spread(p.reconcile, "per-room", 1 / (SCHEDULE.reconcileMinutes * 60));
  spread(p.subscriptionsIdleRun, "per-run", 1 / (SCHEDULE.subscriptionsRenewMinutes * 60));
  spread(p.subscriptionsRenewAll, "per-room", renewalsPerRoomDay(SCHEDULE) / 86_400);
  const bookingsPerSecondPeak =
    (R * load.bookingsPerRoomDay * load.peakFactor) / (load.businessHours * 3_600);
  spread(p.bookingChanges, "per-room", bookingsPerSecondPeak / (R * bookingsPerRoomMeasured));
  spread(p.heartbeat, "per-room", 1 / SCHEDULE.displayHeartbeatSeconds, 1);
  spread(p.displayHealthRun, "per-room", 1 / (SCHEDULE.displayHealthMinutes * 60), 1);
  const [hottest, rate] = [...hot.entries()].sort((a, b) => b[1] - a[1])[0] ?? ["-", 0];
  push(
    `Table Storage: entities per second in one partition (hottest: ${hottest})`,
    rate,
    LIMITS.tablePartitionEntitiesPerSecond,
    "entities/s",
    "shared partitions only; a room's own partitions carry one room's work",
  );
  return out;
}

export const fmt = (n: number, digits = 1): string =>
  n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(digits);

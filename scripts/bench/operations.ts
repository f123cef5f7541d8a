/**
 * Measures what each timer and consumer of the Outlook side costs per room: Graph requests (the M365
 * simulator's request log), table operations (a counting pipeline policy on the Tables client), queue
 * messages and display publishes, on a small generated tenant run through the real use cases, SDKs and
 * local stack. `bench:scale` and `bench:cost` both scale these counts; nothing here is modelled.
 */
import { ServiceBusClient } from "@azure/service-bus";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { startAzurite } from "../../dev/azurite";
import { LOCAL_CA_DIR } from "../../dev/ensure-ca";
import { startHost } from "../../dev/host";
import { memoryLogger } from "../../dev/host/logger";
import { DEMO_APPS, startM365Simulator, type RunningM365Simulator } from "../../dev/m365";
import { startServiceBus } from "../../dev/servicebus";
import { graphLifecycleHandler } from "../../functions/graph-lifecycle";
import { graphNotificationsHandler } from "../../functions/graph-notifications";
import { httpFunction } from "../../functions/lib/definition";
import { TableService } from "../../shared/adapters/tables/table-service";
import { publishRoomSchedules } from "../../shared/app/bookings/room-schedule";
import type { RealtimePublisher } from "../../shared/app/ports/realtime-publisher";
import { queueSettings } from "../../shared/app/ports/work-queue";
import { overrideServices, resetServices } from "../../shared/composition";
import { bookingDependencies } from "../../shared/composition/bookings";
import { calendarUseCases, type CalendarUseCases } from "../../shared/composition/calendar";
import {
  checkDisplayHealth,
  displayHeartbeat,
  issuePairingCode,
  pairDisplay,
  registerDisplay,
} from "../../shared/composition/displays";
import { getServices } from "../../shared/composition/services";
import { runSync } from "../../shared/composition/sync";
import { parseSettings } from "../../shared/config";
import type { CalendarChangeMessage } from "../../shared/domain/calendar/calendar-change";
import { scaleTenantSeed } from "../scale-tenant";

/** What one phase cost, in total over the measured tenant. */
export interface Cost {
  graph: number;
  /** Graph requests by method and path shape, e.g. "PATCH /subscriptions/{id}". */
  graphByPath: Record<string, number>;
  /** Most Graph requests any one mailbox received in the phase. */
  graphMaxPerMailbox: number;
  /** Table requests (each page of a query, each transaction, each point operation). */
  tableRequests: number;
  /** Entities touched: a transaction counts its operations (what the partition and account targets count). */
  tableEntities: number;
  /** Entities written or read by key, by logical table and partition ("table/partition", a room's as "{room}"). */
  tableByPartition: Record<string, number>;
  /** Queries by "table/partition" ("(scan)" without a partition): pages requested and rows returned. */
  tableQueries: Record<string, { requests: number; rows: number }>;
  queueMessages: number;
  publishes: number;
  /** Function executions the phase took (timer runs, messages handled, webhook POSTs, heartbeats). */
  executions: number;
  wallMs: number;
}

export interface Measurement {
  readonly date: string;
  readonly tenant: { rooms: number; users: number; groups: number };
  readonly bookingsMeasured: number;
  /** Events in a room's calendar window on the day of the measurement (the simulator's seeded week). */
  readonly eventsPerRoom: number;
  readonly phases: {
    roomsSyncFull: Cost;
    directorySyncFull: Cost;
    roomsSyncIncremental: Cost;
    directorySyncIncremental: Cost;
    subscriptionsCreate: Cost;
    initialFullRead: Cost;
    subscriptionsIdleRun: Cost;
    subscriptionsRenewAll: Cost;
    bookingChanges: Cost;
    reconcile: Cost;
    publishAll: Cost;
    heartbeat: Cost;
    displayHealthRun: Cost;
  };
}

export interface MeasureOptions {
  readonly rooms: number;
  readonly users: number;
  readonly groups: number;
  /** Outlook meetings booked per room during the changes phase. */
  readonly bookingsPerRoom: number;
  readonly log?: (line: string) => void;
}

interface Counters {
  tableRequests: number;
  tableEntities: number;
  byPartition: Map<string, number>;
  /** Query requests by "table/partition" (their entities are in `byPartition`). */
  queries: Map<string, number>;
  queryRows: Map<string, number>;
  publishes: number;
}

/** The logical table (prefix dropped) and partition of each entity a Tables request touches. */
function tableTouches(url: string, body: unknown, prefix: string): string[] {
  const u = new URL(url);
  const path = decodeURIComponent(u.pathname);
  const table = (name: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  if (path.endsWith("/$batch")) {
    const text = typeof body === "string" ? body : "";
    const out: string[] = [];
    for (const m of text.matchAll(/\/([A-Za-z0-9]+)\(PartitionKey='([^']*)',RowKey='[^']*'\)/g))
      out.push(`${table(m[1] ?? "")}/${partition(m[2] ?? "")}`);
    // Inserts (POST to the table) name the partition only in their JSON body.
    for (const m of text.matchAll(/POST [^ ]*\/([A-Za-z0-9]+) HTTP[\s\S]*?"PartitionKey":"([^"]*)"/g))
      out.push(`${table(m[1] ?? "")}/${partition(m[2] ?? "")}`);
    return out.length === 0 ? ["(batch)/?"] : out;
  }
  const point = /\/([A-Za-z0-9]+)\(PartitionKey='([^']*)',RowKey='[^']*'\)$/.exec(path);
  if (point !== null) return [`${table(point[1] ?? "")}/${partition(point[2] ?? "")}`];
  const name = /\/([A-Za-z0-9]+)(\(\))?$/.exec(path)?.[1] ?? "?";
  if (name === "Tables") return ["(tables)/-"];
  const filter = u.searchParams.get("$filter") ?? "";
  const pk = /PartitionKey eq '([^']*)'/.exec(filter)?.[1];
  return [`${table(name)}/${pk === undefined ? "(scan)" : partition(pk)}`];
}

/** Room partitions fold into one name, so a per-room partition is told apart from a shared one. */
function partition(key: string): string {
  return /room-\d+/.test(key)
    ? key.replace(/room-\d+(%40|@)contoso\.example/g, "{room}").replace(/room-\d+/g, "{room}")
    : key;
}

function queryRows(body: string | undefined): number {
  if (body === undefined) return 1;
  try {
    const parsed = JSON.parse(body) as { value?: unknown[] };
    return Math.max(1, parsed.value?.length ?? 1);
  } catch {
    return 1;
  }
}

function countingPolicy(counters: Counters, prefix: string): PipelinePolicy {
  return {
    name: "benchTableCounter",
    async sendRequest(request, next) {
      const touches = tableTouches(request.url, request.body, prefix);
      const response = await next(request);
      const query = request.method === "GET" && !/PartitionKey='/.test(decodeURIComponent(request.url));
      // A query touches each entity it returns (what the scalability targets count).
      const returned = query ? queryRows(response.bodyAsText ?? undefined) : 1;
      const key = touches[0] ?? "?";
      counters.tableRequests++;
      if (query) {
        counters.tableEntities += returned;
        counters.queryRows.set(key, (counters.queryRows.get(key) ?? 0) + returned);
        counters.queries.set(key, (counters.queries.get(key) ?? 0) + 1);
      } else {
        counters.tableEntities += touches.length;
        for (const t of touches) counters.byPartition.set(t, (counters.byPartition.get(t) ?? 0) + 1);
      }
      return response;
    },
  };
}

/** "GET /users/{mailbox}/calendarView/delta" from a logged path. */
function pathShape(method: string, path: string): string {
  const shape = path
    .replace(/^\/v1\.0/, "")
    .replace(/\/users\/[^/]+/, "/users/{mailbox}")
    .replace(/\/subscriptions\/[^/]+/, "/subscriptions/{id}")
    .replace(/\/events\/[^/]+/, "/events/{id}")
    .replace(/\/places\/[^/]+\/microsoft\.graph\.roomList\/rooms/i, "/places/{list}/rooms");
  return `${method} ${shape}`;
}

export async function measureOperations(options: MeasureOptions): Promise<Measurement> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const seed = scaleTenantSeed({ users: options.users, groups: options.groups, rooms: options.rooms });
  const sim = await startM365Simulator({ caDir: LOCAL_CA_DIR, seed });
  sim.control.log.capacity = 1_000_000;
  const azurite = await startAzurite();
  const q = queueSettings["calendar-changes"];
  const bus = await startServiceBus({
    queues: (["calendar-changes", "booking-commands", "mail", "sync-run"] as const).map((name) => ({
      name,
      maxDeliveryCount: q.maxDeliveryCount,
      lockDurationMs: 30_000,
    })),
  });
  const late: { useCases?: CalendarUseCases } = {};
  const uc = (): CalendarUseCases => {
    if (late.useCases === undefined) throw new Error("stack not ready");
    return late.useCases;
  };
  let webhookPosts = 0;
  const host = await startHost({
    functions: [
      httpFunction({
        name: "graph-notifications",
        route: "graph/notifications",
        methods: ["POST"],
        handler: graphNotificationsHandler((n) => {
          webhookPosts++;
          return uc().acceptNotifications(n);
        }),
      }),
      httpFunction({
        name: "graph-lifecycle",
        route: "graph/lifecycle",
        methods: ["POST"],
        handler: graphLifecycleHandler((n) => uc().acceptLifecycle(n)),
      }),
    ],
    port: 0,
    env: {},
    logger: memoryLogger(),
    timers: false,
  });
  const counters: Counters = {
    tableRequests: 0,
    tableEntities: 0,
    byPartition: new Map(),
    queries: new Map(),
    queryRows: new Map(),
    publishes: 0,
  };
  const prefix = `bench${Date.now().toString(36)}`;
  // Renewal falls due at half the lifetime less a per-room offset: a short lifetime lets the bench
  // reach "every room due" by moving its clock two hours, within what Graph accepts from now.
  const lifetimeMinutes = 120;
  const app = DEMO_APPS.applicationPermission;
  const env: Record<string, string> = {
    TABLES_CONNECTION_STRING: azurite.connectionString,
    TABLE_PREFIX: prefix,
    SERVICEBUS: bus.connectionString,
    APP_BASE_URL: host.baseUrl,
    LOGIN_BASE_URL: sim.loginBaseUrl,
    GRAPH_BASE_URL: sim.graphBaseUrl,
    M365_TENANT_ID: sim.tenantId,
    M365_CLIENT_ID: app.clientId,
    M365_CLIENT_SECRET: app.secret,
    M365_INTEGRATION_MODE: "application",
    SUBSCRIPTION_LIFETIME_MINUTES: String(lifetimeMinutes),
  };
  const counting: RealtimePublisher = {
    publishSchedule: () => {
      counters.publishes++;
      return Promise.resolve();
    },
    probe: () => ({ name: "webPubSub", required: false, check: () => Promise.resolve() }),
  };
  let clock = new Date();
  const tables = TableService.connect(
    { connectionString: azurite.connectionString, prefix },
    { additionalPolicies: [{ policy: countingPolicy(counters, prefix), position: "perCall" }] },
  );
  await overrideServices({ settings: parseSettings(env), tables, realtime: counting, now: () => clock });
  const services = getServices();
  const calendar = calendarUseCases(services, { now: () => clock });
  late.useCases = calendar;
  const rooms = [...sim.control.store.users.values()].filter((u) => u.isRoomMailbox).length;
  log(`stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s (${rooms} room mailboxes)`);

  const receiver = new ServiceBusClient(bus.connectionString);
  /** Messages taken off `calendar-changes` so far (a phase's messages are those it queued). */
  let consumed = 0;
  /** Takes every queued calendar change and processes it, until the queue stays empty. */
  async function settle(): Promise<number> {
    const r = receiver.createReceiver("calendar-changes", { receiveMode: "receiveAndDelete" });
    let handled = 0;
    try {
      for (;;) {
        const got = await r.receiveMessages(200, { maxWaitTimeInMs: 700 });
        if (got.length === 0) return handled;
        for (const m of got) await calendar.processCalendarChange(m.body as CalendarChangeMessage);
        handled += got.length;
        consumed += got.length;
      }
    } finally {
      await r.close();
    }
  }
  const sent = (): number => {
    const s = bus.stats();
    let n = 0;
    for (const queue of Object.values(s)) n += queue.active + queue.scheduled + queue.locked;
    return n;
  };

  async function phase(name: string, work: () => Promise<number>): Promise<Cost> {
    const since = sim.control.log.lastSeq;
    const before = {
      ...counters,
      byPartition: new Map(counters.byPartition),
      queries: new Map(counters.queries),
      queryRows: new Map(counters.queryRows),
    };
    const queuedBefore = sent() + consumed;
    const t0 = performance.now();
    const executions = await work();
    const wallMs = performance.now() - t0;
    const entries = sim.control.log
      .entries({ kind: "graph", sinceSeq: since })
      .filter((e) => !e.path.endsWith("$batch"));
    const graphByPath: Record<string, number> = {};
    const perMailbox = new Map<string, number>();
    for (const e of entries) {
      const shape = pathShape(e.method, e.path);
      graphByPath[shape] = (graphByPath[shape] ?? 0) + 1;
      const mailbox = /\/users\/([^/]+)/.exec(e.path)?.[1];
      if (mailbox !== undefined) perMailbox.set(mailbox, (perMailbox.get(mailbox) ?? 0) + 1);
    }
    const byPartition: Record<string, number> = {};
    for (const [key, n] of counters.byPartition) {
      const d = n - (before.byPartition.get(key) ?? 0);
      if (d > 0) byPartition[key] = d;
    }
    const tableQueries: Record<string, { requests: number; rows: number }> = {};
    for (const [key, n] of counters.queries) {
      const d = n - (before.queries.get(key) ?? 0);
      const rows = (counters.queryRows.get(key) ?? 0) - (before.queryRows.get(key) ?? 0);
      if (d > 0) tableQueries[key] = { requests: d, rows };
    }
    const cost: Cost = {
      graph: entries.length,
      graphByPath,
      graphMaxPerMailbox: Math.max(0, ...perMailbox.values()),
      tableRequests: counters.tableRequests - before.tableRequests,
      tableEntities: counters.tableEntities - before.tableEntities,
      tableByPartition: byPartition,
      tableQueries,
      queueMessages: Math.max(0, sent() + consumed - queuedBefore),
      publishes: counters.publishes - before.publishes,
      executions,
      wallMs,
    };
    log(
      `${name}: ${cost.graph} Graph, ${cost.tableRequests} table requests (${cost.tableEntities} entities), ` +
        `${cost.publishes} publishes, ${cost.executions} executions, ${(wallMs / 1000).toFixed(1)} s`,
    );
    return cost;
  }

  try {
    // Directory and rooms: a full sync, then a run that finds nothing new (what most timer runs are).
    // The rooms sync's follow-up makes each new room's subscription: measured as its own phase.
    const subscriptionsBefore = () => sim.control.notifications.subscriptions().length;
    const roomsSyncFull = await phase("rooms sync, full", async () => {
      await runSync("rooms", "timer");
      return 1;
    });
    const madeBySync = subscriptionsBefore();
    const directorySyncFull = await phase("directory sync, full", async () => {
      await runSync("directory", "timer");
      return 1;
    });
    const roomsSyncIncremental = await phase("rooms sync, nothing changed", async () => {
      await runSync("rooms", "timer");
      return 1;
    });
    const directorySyncIncremental = await phase("directory sync, nothing changed", async () => {
      await runSync("directory", "timer");
      return 1;
    });
    const subscriptionsCreate = await phase("subscriptions, first run", async () => {
      await calendar.maintainSubscriptions();
      return 1;
    });
    log(`subscriptions made by the rooms sync: ${madeBySync}, in all: ${subscriptionsBefore()}`);
    const initialFullRead = await phase("first full read of every room", settle);
    const subscriptionsIdleRun = await phase("subscriptions timer, nothing due", async () => {
      await calendar.maintainSubscriptions();
      return 1;
    });
    clock = new Date(clock.getTime() + lifetimeMinutes * 60_000 * 0.8);
    const subscriptionsRenewAll = await phase("subscriptions timer, every room due", async () => {
      await calendar.maintainSubscriptions();
      return 1;
    });
    // Outlook users book each room; the simulator notifies the app's webhook, the intake queues one
    // message per room per POST, and the consumer reads the room's delta and stores the bookings.
    await settle();
    const roomEmails = [...sim.control.store.users.values()]
      .filter((u) => u.isRoomMailbox)
      .map((u) => String(u.data.mail ?? u.data.userPrincipalName));
    const organizers = [...sim.control.store.users.values()]
      .filter((u) => !u.isRoomMailbox)
      .slice(0, 20)
      .map((u) => String(u.data.userPrincipalName));
    let bookings = 0;
    const bookingChanges = await phase(`${options.bookingsPerRoom} Outlook bookings per room`, async () => {
      webhookPosts = 0;
      const base = new Date(clock.getTime() + 3 * 86_400_000);
      base.setUTCHours(6, 0, 0, 0);
      for (let b = 0; b < options.bookingsPerRoom; b++) {
        for (const [r, room] of roomEmails.entries()) {
          const start = new Date(base.getTime() + b * 30 * 60_000 + 86_400_000 * (b % 2));
          sim.control.calendar.createMeeting({
            organizer: organizers[(r + b) % organizers.length] as string,
            subject: "Bench meeting",
            start: start.toISOString(),
            end: new Date(start.getTime() + 25 * 60_000).toISOString(),
            rooms: [room],
          });
          bookings++;
        }
        await sim.control.notifications.flush();
      }
      const handled = await settle();
      return webhookPosts + handled;
    });
    const reconcile = await phase("reconcile, one run", async () => {
      await calendar.reconcile();
      return 1;
    });
    const roomIds = (await services.knownRooms.rooms()).filter((r) => r.active).map((r) => r.id);
    const publishAll = await phase("display snapshot, one publish per room", async () => {
      await publishRoomSchedules(bookingDependencies(), roomIds);
      return 0;
    });
    // One display on the first room: a heartbeat, and the health timer reading every display.
    const display = await registerDisplay({
      name: "Bench display",
      target: { kind: "room", roomId: roomIds[0] as string },
    });
    const code = await issuePairingCode(display.id);
    const paired = await pairDisplay({ code: code.code, address: "127.0.0.1" });
    const heartbeat = await phase("display heartbeat", async () => {
      await displayHeartbeat(paired.credential, "bench");
      return 1;
    });
    const displayHealthRun = await phase("display-health timer (one display)", async () => {
      await checkDisplayHealth();
      return 1;
    });
    const events = sim.control.calendar.events(roomEmails[0] as string).length;
    return {
      date: new Date().toISOString(),
      tenant: { rooms: roomEmails.length, users: options.users, groups: options.groups },
      bookingsMeasured: bookings,
      eventsPerRoom: events,
      phases: {
        roomsSyncFull,
        directorySyncFull,
        roomsSyncIncremental,
        directorySyncIncremental,
        subscriptionsCreate,
        initialFullRead,
        subscriptionsIdleRun,
        subscriptionsRenewAll,
        bookingChanges,
        reconcile,
        publishAll,
        heartbeat,
        displayHealthRun,
      },
    };
  } finally {
    await receiver.close();
    await host.stop();
    await resetServices();
    await bus.stop();
    await stopSim(sim);
    await azurite.stop();
  }
}

async function stopSim(sim: RunningM365Simulator): Promise<void> {
  await sim.stop();
}

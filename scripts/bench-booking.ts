/**
 * Booking benchmark on the local stack: Azurite, the M365 simulator (the demo tenant plus BENCH_ROOMS
 * room mailboxes that answer invitations automatically) and the local Service Bus broker in processes
 * of their own; the app's HTTP functions on one local host and the `booking-commands` consumer on
 * another in this process; the load generator in a child process of its own (scripts/bench/
 * load-generator.ts: `node:http`, kept-alive connections), so the app host's event loop serves only
 * the app; all with the real SDKs.
 *
 * BENCH_REQUESTS booking requests (POST /api/bookings) over BENCH_ROOMS rooms, BENCH_CONFLICT_PERCENT
 * of them asking for a slot another request of the run also asks for. Three phases, each on a week of
 * its own in the same rooms (BENCH_PHASES=held,paced,concurrent chooses; BENCH_CONSUMER=held or
 * concurrent, as before, runs that one alone):
 * - held (closed loop): BENCH_CONCURRENCY workers, each sending its next request when its last is
 *   answered, so the load follows the server: saturation throughput, and a latency that is about
 *   concurrency / throughput. The consumer starts only when the last request has its answer, then
 *   drains the queue. In Azure `booking-commands` runs on instances of its own, so this is the request
 *   path as Azure runs it; the time until everything settled is still reported.
 * - paced (open loop): requests due at a steady BENCH_RATE per second (default: the rate at which 100
 *   are accepted per second, from the share of the request list a conflict refuses), never more than
 *   BENCH_CONCURRENCY in flight; latency counts from the time a request was due, so waiting for a slot
 *   counts in it. Latency at the target rate; the consumer held as in the held phase.
 * - concurrent (closed loop): the consumer runs on the same two cores while the requests are made.
 * Each prints the accepted-into-pending throughput, p50 / p99 latency of the POST, the CPU time each
 * process used while the requests ran (per request), the time until every accepted booking is
 * `confirmed` or `declined`, and how every request ended; the held phase also counts the storage
 * calls of the request path per request and of the consumer per accepted booking. At the end, the
 * double bookings found by reading every room's calendar back from the simulator (calendarView of
 * each room mailbox).
 *
 * Before the figures start, BENCH_WARM_UP (32) bookings warm the booking path (code, table clients,
 * tables, the broker's sender link), as on an instance that has served before.
 *
 * BENCH_SPANS=1 (held phase only) also prints the time spent in each port call of the request path;
 * BENCH_COUNT=1 (held phase only) prints the counts alone.
 *
 * Run: npm run bench:booking   (env: BENCH_REQUESTS=2000 BENCH_ROOMS=200 BENCH_CONCURRENCY=32
 * BENCH_CONFLICT_PERCENT=30 BENCH_RATE=<requests/s>; BENCH_SMOKE=1 for a small run: 100 requests over
 * 20 rooms)
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { TableClient } from "@azure/data-tables";
import { SignJWT } from "jose";
import type { KeyObject } from "node:crypto";
import { startAzurite } from "../dev/azurite";
import { LOCAL_CA_DIR } from "../dev/ensure-ca";
import { startHost } from "../dev/host";
import { memoryLogger } from "../dev/host/logger";
import { DEMO_APPS, demoTenantSeed, startM365Simulator, type SeedRoom } from "../dev/m365";
import { startServiceBus } from "../dev/servicebus";
import { bookingCommands } from "../functions/booking-commands";
import { functionCatalog } from "../functions/catalog";
import { generateKey } from "../shared/adapters/crypto/aes-gcm-secret-box";
import { queueNames, queueSettings } from "../shared/app/ports/work-queue";
import { resetServices } from "../shared/composition";
import { getServices } from "../shared/composition/services";
import { BOOKINGS_TABLE, TableBookingStore } from "../shared/adapters/tables/table-booking-store";
import { TableService } from "../shared/adapters/tables/table-service";
import { runSync } from "../shared/composition/sync";
import { resetSettings } from "../shared/config";
import { TablePolicyStore } from "../shared/adapters/tables/table-policy-store";
import { TableRoomStore } from "../shared/adapters/tables/table-rooms";
import { TablePeopleStore } from "../shared/adapters/tables/table-people";
import { ServiceBusWorkQueue } from "../shared/adapters/servicebus/service-bus-work-queue";
import { JoseTokenVerifier } from "../shared/adapters/entra/jose-token-verifier";
import { startLoadGenerator, type LoadRequest, type Pacing } from "./bench/load-generator";
import { atMost, printBenchResult, type BenchFigure } from "./bench/result";

const SMOKE = process.env.BENCH_SMOKE === "1";
const SPANS = process.env.BENCH_SPANS === "1";
const COUNT = process.env.BENCH_COUNT === "1";
/** `held` or `concurrent` runs that phase alone (`both`, or unset: see BENCH_PHASES). */
const CONSUMER = process.env.BENCH_CONSUMER ?? "both";
/** The phases to run, in this order: see the header. */
const PHASES = process.env.BENCH_PHASES ?? "held,paced,concurrent";
/** The paced phase's arrival rate (requests/s); unset: 100 accepted/s at the request list's mix. */
const RATE = process.env.BENCH_RATE === undefined ? undefined : Number(process.env.BENCH_RATE);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (SMOKE ? 100 : 2_000));
const ROOMS = Number(process.env.BENCH_ROOMS ?? (SMOKE ? 20 : 200));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? (SMOKE ? 8 : 32));
const CONFLICT_PERCENT = Number(process.env.BENCH_CONFLICT_PERCENT ?? 30);
const PEOPLE = 100;
/** Bookings made before the figures start (see the warm-up). */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 32);
const SETTLE_TIMEOUT_MS = Number(process.env.BENCH_SETTLE_TIMEOUT_MS ?? 600_000);
/** Bookings are made on working days from here on (far from the demo tenant's own week of meetings). */
const FIRST_DAY = Date.parse("2027-03-01T00:00:00Z");

interface Request {
  readonly person: number;
  readonly room: string;
  readonly start: string;
  readonly end: string;
  /** The slot this request shares with another request of the run (a deliberate conflict). */
  readonly conflicting: boolean;
}

interface Outcome {
  readonly request: Request;
  readonly status: number;
  /** From the request's start (closed loop) or the time it was due (paced). */
  readonly ms: number;
  /** Paced: how long after its due time it was sent, and whether it waited for a free slot. */
  readonly lateMs: number;
  readonly waitedForSlot: boolean;
  readonly bookingId?: string;
  readonly reason?: string;
}

/** What the run started, stopped in reverse order at the end or on a failure (no child left behind). */
const running: (() => Promise<unknown>)[] = [];
async function stopAll(): Promise<void> {
  for (const stop of running.splice(0).reverse()) await stop().catch(() => undefined);
}

const roomAddress = (i: number): string => `bench-room-${String(i).padStart(4, "0")}@contoso.example`;

/** The demo tenant plus `rooms` extra room mailboxes with the default calendar processing (AutoAccept). */
function benchSeed(rooms: number) {
  const seed = demoTenantSeed({ users: 200 });
  const template = (seed.rooms ?? [])[0];
  if (template === undefined) throw new Error("the demo tenant has no rooms");
  const { id: _id, mailboxId: _mailbox, ...shape } = template;
  const extra: SeedRoom[] = Array.from({ length: rooms }, (_, i) => ({
    ...shape,
    emailAddress: roomAddress(i),
    displayName: `Bench room ${i}`,
  }));
  seed.rooms = [...(seed.rooms ?? []), ...extra];
  return seed;
}

/**
 * The requests: 1 - CONFLICT_PERCENT of them ask for distinct one-hour slots spread over the rooms; the
 * rest ask for a slot one of those already asks for (half the same hour, half overlapping by 30 min).
 * Shuffled with a fixed seed, so conflicting pairs race each other.
 */
function plan(firstDay: number): Request[] {
  const conflicts = Math.round((REQUESTS * CONFLICT_PERCENT) / 100);
  const distinct = REQUESTS - conflicts;
  const hour = 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const base: Request[] = Array.from({ length: distinct }, (_, i) => {
    const room = i % ROOMS;
    const k = Math.floor(i / ROOMS); // the k-th slot of this room: 8 per day from 08:00 UTC
    const day = Math.floor(k / 8);
    const start = firstDay + (day + 2 * Math.floor(day / 5)) * 86_400_000 + (8 + (k % 8)) * hour;
    return {
      person: i % PEOPLE,
      room: roomAddress(room),
      start: iso(start),
      end: iso(start + hour),
      conflicting: false,
    };
  });
  let state = 0x2545f491;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const dupes: Request[] = Array.from({ length: conflicts }, (_, i) => {
    const of = base[Math.floor(random() * base.length)] as Request;
    const shift = i % 2 === 0 ? 0 : hour / 2;
    return {
      person: (of.person + 1 + (i % (PEOPLE - 1))) % PEOPLE,
      room: of.room,
      start: iso(Date.parse(of.start) + shift),
      end: iso(Date.parse(of.end) + shift),
      conflicting: true,
    };
  });
  const all = [...base, ...dupes];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j] as Request, all[i] as Request];
  }
  return all;
}

/**
 * The share of `requests` accepted were they served one after another: a request is refused when its
 * slot overlaps one already accepted in its room. Racing pairs may end the other way round; the count
 * of each room's accepted bookings hardly moves.
 */
function acceptedShare(requests: readonly Request[]): number {
  const taken = new Map<string, { start: number; end: number }[]>();
  let accepted = 0;
  for (const r of requests) {
    const start = Date.parse(r.start);
    const end = Date.parse(r.end);
    const slots = taken.get(r.room) ?? [];
    if (slots.some((s) => s.start < end && start < s.end)) continue;
    slots.push({ start, end });
    taken.set(r.room, slots);
    accepted++;
  }
  return accepted / Math.max(1, requests.length);
}

/**
 * The table operations (by table and kind), queue sends and Graph calls of the request path and,
 * separately, of the consumer (held phase: it starts only after the requests).
 */
const counts = new Map<string, number>();
const bump = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
/** The app's table clients (not the ones a transaction makes inside, nor the bench's own poll's). */
const countedClients = new WeakSet<object>();
let countNewClients = true;
function countTableOps(): void {
  const open = TableClient.fromConnectionString.bind(TableClient);
  TableClient.fromConnectionString = (...args: Parameters<typeof TableClient.fromConnectionString>) => {
    const client = open(...args);
    if (countNewClients) countedClients.add(client);
    return client;
  };
  const target = TableClient.prototype as unknown as Record<string, unknown>;
  for (const name of [
    "getEntity",
    "createEntity",
    "upsertEntity",
    "updateEntity",
    "deleteEntity",
    "submitTransaction",
    "listEntities",
  ]) {
    const original = target[name] as (...a: unknown[]) => unknown;
    target[name] = function (this: TableClient, ...args: unknown[]) {
      if (!countedClients.has(this)) return original.apply(this, args);
      const table = this.tableName.replace(/^benchbook/, "");
      const detail = name === "submitTransaction" ? `(${(args[0] as unknown[]).length})` : "";
      bump(`table ${table}.${name}${detail}`);
      return original.apply(this, args);
    };
  }
  const queue = ServiceBusWorkQueue.prototype as unknown as Record<string, unknown>;
  const enqueue = queue.enqueue as (...a: unknown[]) => unknown;
  queue.enqueue = function (this: unknown, ...args: unknown[]) {
    bump(`queue ${String(args[0])}`);
    return enqueue.apply(this, args);
  };
}
function countGraph(graphBaseUrl: string): void {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(graphBaseUrl)) {
      const path = new URL(url).pathname
        .replace(/\/users\/[^/]+/, "/users/{id}")
        .replace(/\/events\/[^/]+/, "/events/{id}");
      bump(`graph ${init?.method ?? "GET"} ${path}`);
    }
    return original(input, init);
  };
}
function printCounts(label: string, per: number): void {
  console.log(`${label} (per ${per}):`);
  let tables = 0;
  for (const [key, n] of [...counts].sort()) {
    if (key.startsWith("table ")) tables += n;
    console.log(`  ${key.padEnd(56)} ${(n / per).toFixed(2)}`);
  }
  console.log(`  ${"table operations in all".padEnd(56)} ${(tables / per).toFixed(2)}`);
  counts.clear();
}
countTableOps();

/** BENCH_SPANS=1: the wall time spent in each port call, summed over the run (where a POST waits). */
const spans = new Map<string, { calls: number; ms: number }>();
function instrument(proto: object, label: string, only?: readonly string[]): void {
  const target = proto as Record<string, unknown>;
  for (const name of only ?? Object.getOwnPropertyNames(proto)) {
    const original = target[name];
    if (name === "constructor" || typeof original !== "function") continue;
    target[name] = async function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try {
        return await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      } finally {
        const key = `${label}.${name}`;
        const span = spans.get(key) ?? { calls: 0, ms: 0 };
        span.calls++;
        span.ms += performance.now() - t;
        spans.set(key, span);
      }
    };
  }
}
if (SPANS) {
  instrument(TableBookingStore.prototype, "bookings");
  instrument(TablePolicyStore.prototype, "policies");
  instrument(TableRoomStore.prototype, "rooms");
  instrument(TablePeopleStore.prototype, "people");
  instrument(ServiceBusWorkQueue.prototype, "queue", ["enqueue"]);
  instrument(JoseTokenVerifier.prototype, "token", ["verifyAccessToken"]);
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * What the stack's process sends back once it serves: where the simulator and the Service Bus broker
 * are, and each bench person's token.
 */
interface StackReady {
  readonly loginBaseUrl: string;
  readonly graphBaseUrl: string;
  readonly tenantId: string;
  readonly serviceBus: string;
  readonly tokens: string[];
}

/**
 * The M365 simulator and the Service Bus broker run in a process of their own (Azurite has its own
 * too), so the figures, and the CPU time of this process, are those of the app's hosts (and of the load
 * generator), not of the local stack answering them.
 */
async function startStackProcess(): Promise<StackReady & { readonly pid: number }> {
  const child: ChildProcess = fork(__filename, [], {
    env: { ...process.env, BENCH_BOOKING_SIMULATOR: "1" },
    execArgv: process.execArgv,
  });
  running.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send("stop");
      }),
  );
  const ready = await new Promise<StackReady>((resolve, reject) => {
    child.once("message", (m) => resolve(m as StackReady));
    child.once("exit", (code) => reject(new Error(`the stack's process ended (${code})`)));
  });
  return { ...ready, pid: child.pid as number };
}

/** The stack's process: the simulator (the demo tenant plus the bench rooms and people) and the broker. */
async function stackProcess(): Promise<void> {
  const sim = await startM365Simulator({ caDir: LOCAL_CA_DIR, seed: benchSeed(ROOMS) });
  const bus = await startServiceBus({
    queues: queueNames.map((name) => ({
      name,
      maxDeliveryCount: queueSettings[name].maxDeliveryCount,
      lockDurationMs: queueSettings[name].lockDurationSeconds * 1000,
    })),
  });
  const stop = () => void Promise.allSettled([bus.stop(), sim.stop()]).finally(() => process.exit(0));
  process.on("message", (m) => m === "stop" && stop());
  process.on("disconnect", stop);
  const app = DEMO_APPS.applicationPermission;
  const keys = (sim.control as unknown as { sim: { keys: { privateKey: KeyObject; kid: string } } }).sim.keys;
  const now = Math.floor(Date.now() / 1000);
  const tokens = await Promise.all(
    Array.from({ length: PEOPLE }, async (_, i) => {
      const upn = `bench.person${i}@contoso.example`;
      const rec = sim.control.addUser({ userPrincipalName: upn, displayName: `Bench Person ${i}` });
      return new SignJWT({
        ver: "2.0",
        iat: now,
        nbf: now,
        exp: now + 7200,
        aud: app.clientId,
        iss: `${sim.loginBaseUrl}/${sim.tenantId}/v2.0`,
        tid: sim.tenantId,
        oid: rec.id,
        name: `Bench Person ${i}`,
        preferred_username: upn,
        scp: "access_as_user",
        roles: [],
      })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: keys.kid })
        .sign(keys.privateKey);
    }),
  );
  const ready: StackReady = {
    loginBaseUrl: sim.loginBaseUrl,
    graphBaseUrl: sim.graphBaseUrl,
    tenantId: sim.tenantId,
    serviceBus: bus.connectionString,
    tokens,
  };
  process.send?.(ready);
}

/** CPU seconds (user + system) used so far by this process and by each of its child processes. */
function cpuSeconds(): Map<string, number> {
  const own = process.cpuUsage();
  const out = new Map([["app hosts", (own.user + own.system) / 1e6]]);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid ... utime stime: fields 14 and 15, counted after the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[1]) !== process.pid) continue;
    const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    const name = cmdline.includes("azurite")
      ? "Azurite"
      : cmdline.includes("load-generator")
        ? "load generator"
        : cmdline.includes("bench-booking")
          ? "simulator and broker"
          : "other";
    out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return out;
}

/** What one phase of the run measured. */
interface PhaseResult {
  readonly label: string;
  readonly phase: Phase;
  readonly outcomes: readonly Outcome[];
  /** From the first request's start (or due time) until the last answer. */
  readonly acceptSeconds: number;
  /** Paced: the arrival rate asked for (requests/s). */
  readonly rate?: number;
  readonly cpuUsed: readonly (readonly [string, number])[];
  readonly settleSeconds: number;
  /** From the consumer's start (held, paced) or the requests' end (concurrent) until nothing was pending. */
  readonly drainSeconds: number;
  readonly stillPending: number;
  readonly finals: ReadonlyMap<string, string>;
  /** Storage calls of the request path per request (held phase only: the consumer is idle then). */
  readonly storagePerRequest?: number;
  /** The consumer's storage calls per accepted booking (held phase only). */
  readonly consumerStoragePerBooking?: number;
}

/** held and concurrent are closed loops (saturation); paced is an open loop at a set rate. */
type Phase = "held" | "paced" | "concurrent";
const isPhase = (p: string): p is Phase => p === "held" || p === "paced" || p === "concurrent";
/** Whether the consumer waits for the last answer (held, paced) or runs meanwhile (concurrent). */
const consumerOf = (phase: Phase): "held" | "concurrent" => (phase === "concurrent" ? "concurrent" : "held");
/** How the phase's figures are named in BENCH_RESULT. */
const tagOf = (phase: Phase): string =>
  phase === "held" ? "consumer held" : phase === "concurrent" ? "consumer concurrent" : "paced";

const tableCalls = (): number => [...counts].reduce((a, [k, n]) => a + (k.startsWith("table ") ? n : 0), 0);

async function main(): Promise<void> {
  const cores = availableParallelism();
  const phases: Phase[] =
    SPANS || COUNT || CONSUMER === "held"
      ? ["held"]
      : CONSUMER === "concurrent"
        ? ["concurrent"]
        : PHASES.split(",")
            .map((p) => p.trim())
            .filter(isPhase);
  if (phases.length === 0) throw new Error(`BENCH_PHASES names no phase: ${PHASES}`);
  // The paced phase's rate: 100 accepted/s at the share of the request list a conflict leaves
  // accepted (1% over, for the last answers after the last arrival), in whole requests/s.
  const share = acceptedShare(plan(FIRST_DAY));
  const rate = RATE ?? Math.ceil((100 * 1.01) / share);
  console.log(
    `booking bench: ${REQUESTS} requests, ${ROOMS} rooms, ${CONFLICT_PERCENT}% conflicting, ${CONCURRENCY} in flight; phases: ${phases.join(", ")}; ${cores} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  if (phases.includes("paced"))
    console.log(
      `paced rate: ${rate} requests/s (${RATE === undefined ? `100 accepted/s ÷ ${(share * 100).toFixed(1)}% of the requests accepted when served in order, + 1%` : "BENCH_RATE"}; ${(rate * share).toFixed(1)} accepted/s expected)`,
    );
  const azurite = await startAzurite();
  running.push(() => azurite.stop());
  const sim = await startStackProcess();
  const bus = { connectionString: sim.serviceBus };
  const api = await startHost({
    functions: functionCatalog.filter((f) => f.kind === "http"),
    port: 0,
    env: {},
    logger: memoryLogger(),
    timers: false,
  });
  running.push(() => api.stop());
  Object.assign(process.env, {
    TABLES_CONNECTION_STRING: azurite.connectionString,
    TABLE_PREFIX: "benchbook",
    SERVICEBUS: bus.connectionString,
    APP_BASE_URL: api.baseUrl,
    LOGIN_BASE_URL: sim.loginBaseUrl,
    GRAPH_BASE_URL: sim.graphBaseUrl,
    SESSION_KEY: generateKey(),
    TOKEN_ENCRYPTION_KEY: generateKey(),
  });
  resetSettings();
  await resetServices();
  running.push(() => resetServices());
  const app = DEMO_APPS.applicationPermission;
  await getServices().integrationStore.save(
    {
      name: "Bench",
      cloud: "global",
      tenantId: sim.tenantId,
      clientId: app.clientId,
      mode: "application",
      updatedAt: new Date(),
    },
    app.secret,
  );
  const synced = await runSync("rooms", "timer");
  if (synced.outcome !== "succeeded") throw new Error(`room sync ${synced.outcome}`);
  const consumerLog = memoryLogger();
  let stopConsumer: (() => Promise<void>) | undefined;
  const startConsumer = async () => {
    if (stopConsumer !== undefined) return;
    const consumer = await startHost({
      functions: [bookingCommands],
      port: 0,
      env: { SERVICEBUS: bus.connectionString },
      logger: consumerLog,
      timers: false,
    });
    let stopped: Promise<void> | undefined;
    stopConsumer = () => (stopped ??= consumer.stop());
    running.push(stopConsumer);
  };
  // Each phase gets a consumer of its own, started when the phase's consumer is due, so that each
  // phase's settle time is its own.
  const restartConsumer = async () => {
    await stopConsumer?.();
    stopConsumer = undefined;
  };
  countGraph(sim.graphBaseUrl);

  // The load generator runs in a process of its own (its CPU time is printed apart from the app host's).
  const generator = await startLoadGenerator(api.baseUrl, sim.tokens, CONCURRENCY);
  running.push(() => generator.stop());
  const bookingRequest = (person: number, roomId: string, start: string, end: string, subject: string) =>
    ({
      person,
      method: "POST",
      path: "/api/bookings",
      body: { roomIds: [roomId], start, end, subject },
    }) satisfies LoadRequest;

  // Warm-up (not part of the figures): token keys, table clients and tables, the broker's sender link,
  // and the booking path compiled, as on an instance that has served before. WARM_UP bookings two weeks
  // before the first phase's, in the first rooms; the consumer writes them with the first phase's.
  await generator.run(
    Array.from({ length: 10 }, (_, i) => ({
      person: i,
      method: "GET",
      path: `/api/rooms/${encodeURIComponent(roomAddress(i % ROOMS))}`,
    })),
    { kind: "closed", concurrency: 1 },
  );
  const warmUp = await generator.run(
    Array.from({ length: WARM_UP }, (_, k) => {
      const start = FIRST_DAY - 14 * 86_400_000 + (8 + Math.floor(k / ROOMS)) * 3_600_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      return bookingRequest(
        k % PEOPLE,
        roomAddress(k % ROOMS),
        iso(start),
        iso(start + 3_600_000),
        "Bench warm-up",
      );
    }),
    { kind: "closed", concurrency: 8 },
  );
  const warmUpRefused = warmUp.results.find((r) => r.status !== 202);
  if (warmUpRefused !== undefined) throw new Error(`warm-up booking answered ${warmUpRefused.status}`);

  // The settle poll reads through clients of its own, so only the app's operations are counted.
  const pollTables = TableService.connect({
    connectionString: azurite.connectionString,
    prefix: "benchbook",
  });
  countNewClients = false;
  await pollTables.table(BOOKINGS_TABLE);
  countNewClients = true;
  const pollStore = new TableBookingStore(pollTables);

  const runPhase = async (phase: Phase, index: number): Promise<PhaseResult> => {
    const consumer = consumerOf(phase);
    const label =
      phase === "held"
        ? "closed loop, consumer held until the requests end, then draining (as in Azure: booking-commands on instances of its own)"
        : phase === "paced"
          ? `open loop at ${rate} requests/s (at most ${CONCURRENCY} in flight; latency from each request's due time), consumer held until the requests end`
          : "closed loop, consumer running on the same cores meanwhile";
    console.log(`phase ${index + 1}: ${label}`);
    if (consumer === "concurrent") await startConsumer();
    // Each phase books its own week, so the phases never meet in a room.
    const requests = plan(FIRST_DAY + index * 7 * 86_400_000);
    const pacing: Pacing =
      phase === "paced"
        ? { kind: "open", concurrency: CONCURRENCY, ratePerSecond: rate }
        : { kind: "closed", concurrency: CONCURRENCY };
    spans.clear();
    counts.clear();
    const cpuBefore = cpuSeconds();
    const started = performance.now();
    const run = await generator.run(
      requests.map((r) => bookingRequest(r.person, r.room, r.start, r.end, "Bench meeting")),
      pacing,
      true,
    );
    const acceptSeconds = run.elapsedMs / 1000;
    const cpuUsed = [...cpuSeconds()].map(
      ([name, seconds]) => [name, seconds - (cpuBefore.get(name) ?? 0)] as const,
    );
    const outcomes: Outcome[] = run.results.map((r) => ({
      request: requests[r.index] as Request,
      status: r.status,
      ms: r.ms,
      lateMs: r.lateMs,
      waitedForSlot: r.waitedForSlot,
      ...(r.status === 202 && r.id !== undefined ? { bookingId: r.id } : {}),
      ...(r.status === 202
        ? {}
        : {
            reason:
              r.error !== undefined
                ? `transport ${r.error}`
                : `${r.status} ${r.type ?? "?"}${r.rule ? ` ${r.rule}` : ""}`,
          }),
    }));
    if (SPANS) {
      console.log(`time in port calls during the requests (per request, ${outcomes.length} requests):`);
      for (const [key, span] of [...spans].sort((a, b) => b[1].ms - a[1].ms))
        console.log(
          `  ${key.padEnd(32)} ${(span.calls / outcomes.length).toFixed(2)} calls, ${(span.ms / outcomes.length).toFixed(1)} ms`,
        );
    }
    const storagePerRequest = phase === "held" ? tableCalls() / outcomes.length : undefined;
    if (COUNT || phase === "held")
      printCounts("operations of the request path, per request", outcomes.length);
    else counts.clear();
    const accepted = outcomes.filter((o) => o.bookingId !== undefined);

    // Until every accepted booking is confirmed or declined (read from the store, as GET would).
    const drainFrom = performance.now();
    await startConsumer();
    const open = new Set(accepted.map((o) => o.bookingId as string));
    const finals = new Map<string, string>();
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    while (open.size > 0 && performance.now() < deadline) {
      const ids = [...open];
      for (let i = 0; i < ids.length; i += 32) {
        await Promise.all(
          ids.slice(i, i + 32).map(async (id) => {
            const state = (await pollStore.get(id))?.booking.state;
            if (state !== undefined && state !== "pending") {
              finals.set(id, state);
              open.delete(id);
            }
          }),
        );
      }
      if (open.size > 0) await new Promise((r) => setTimeout(r, 250));
    }
    const settled = performance.now();
    await restartConsumer();
    let consumerStoragePerBooking: number | undefined;
    if (phase === "held") {
      consumerStoragePerBooking = tableCalls() / Math.max(1, accepted.length);
      printCounts("operations of the consumer, per accepted booking", Math.max(1, accepted.length));
    } else counts.clear();
    return {
      label,
      phase,
      outcomes,
      acceptSeconds,
      ...(phase === "paced" ? { rate } : {}),
      cpuUsed,
      settleSeconds: (settled - started) / 1000,
      drainSeconds: (settled - drainFrom) / 1000,
      stillPending: open.size,
      finals,
      ...(storagePerRequest === undefined ? {} : { storagePerRequest }),
      ...(consumerStoragePerBooking === undefined ? {} : { consumerStoragePerBooking }),
    };
  };

  const results: PhaseResult[] = [];
  for (const [index, phase] of phases.entries()) results.push(await runPhase(phase, index));

  // Every room calendar read back from the simulator: overlapping non-cancelled events are double bookings.
  const graphToken = await appTokenOf(sim.loginBaseUrl, sim.tenantId, app.clientId, app.secret);
  let doubleBookings = 0;
  let roomEvents = 0;
  for (let i = 0; i < ROOMS; i++) {
    const events = await calendarView(sim.graphBaseUrl, graphToken, roomAddress(i));
    const live = events
      .filter((e) => !e.isCancelled)
      .map((e) => ({ start: Date.parse(`${e.start.dateTime}Z`), end: Date.parse(`${e.end.dateTime}Z`) }))
      .sort((a, b) => a.start - b.start);
    roomEvents += live.length;
    for (let j = 1; j < live.length; j++) {
      if ((live[j] as { start: number }).start < (live[j - 1] as { end: number }).end) doubleBookings++;
    }
  }

  const figures: BenchFigure[] = [atMost("double bookings", doubleBookings, 0, "bookings", 0)];
  const notes: string[] = [];
  for (const r of results) {
    const { outcomes } = r;
    const accepted = outcomes.filter((o) => o.bookingId !== undefined);
    const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const byReason = new Map<string, number>();
    for (const o of outcomes) {
      const key =
        o.bookingId === undefined
          ? `refused ${o.reason ?? "?"}`
          : `accepted → ${r.finals.get(o.bookingId) ?? "still pending"}`;
      byReason.set(key, (byReason.get(key) ?? 0) + 1);
    }
    const throughput = accepted.length / r.acceptSeconds;
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    const perRequest = (seconds: number) => (seconds * 1000) / outcomes.length;
    const cpuAll = perRequest(r.cpuUsed.reduce((a, [, t]) => a + t, 0));
    const tag = tagOf(r.phase);
    const consumer = consumerOf(r.phase);
    console.log(`${r.phase.toUpperCase()}: ${r.label}`);
    console.log(
      `  accepted into pending: ${accepted.length} of ${outcomes.length} in ${r.acceptSeconds.toFixed(2)} s`,
    );
    const requestRate = outcomes.length / r.acceptSeconds;
    console.log(
      `  throughput ${throughput.toFixed(1)} bookings/s (${requestRate.toFixed(1)} requests/s)${r.rate === undefined ? "" : `, offered ${r.rate} requests/s`}`,
    );
    console.log(`  POST /api/bookings p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    // Where the slow answers fall: p50 / p99 of each tenth of the run, in the order answered.
    const tenth = Math.max(1, Math.ceil(outcomes.length / 10));
    const tenths = Array.from({ length: Math.ceil(outcomes.length / tenth) }, (_, i) => {
      const part = outcomes
        .slice(i * tenth, (i + 1) * tenth)
        .map((o) => o.ms)
        .sort((a, b) => a - b);
      return `${quantile(part, 0.5).toFixed(0)}/${quantile(part, 0.99).toFixed(0)}`;
    });
    console.log(`  p50/p99 ms by tenth of the run: ${tenths.join(" ")}`);
    console.log(
      `  accepted without a deliberate conflict: ${accepted.filter((o) => !o.request.conflicting).length}`,
    );
    console.log(
      `  CPU while the requests ran, per request: ${r.cpuUsed.map(([name, seconds]) => `${name} ${perRequest(seconds).toFixed(1)} ms`).join(", ")} (${cpuAll.toFixed(1)} ms in all; consumer ${consumer === "held" ? "not running" : "running"})`,
    );
    if (r.storagePerRequest !== undefined)
      console.log(
        `  storage calls per request ${r.storagePerRequest.toFixed(2)}; the consumer's per accepted booking ${(r.consumerStoragePerBooking ?? 0).toFixed(2)}`,
      );
    console.log(
      `  every booking confirmed or declined ${r.settleSeconds.toFixed(2)} s after the first request (${r.drainSeconds.toFixed(2)} s after ${consumer === "held" ? "the consumer started" : "the last answer"}; ${r.stillPending} still pending)`,
    );
    for (const [reason, count] of [...byReason].sort())
      console.log(`    ${count.toString().padStart(5)}  ${reason}`);
    // Paced: whether the generator kept the schedule. A start more than LATE_MS after its due time is
    // late; either every slot was taken (the host was slow) or the generator's own timer was.
    const LATE_MS = 5;
    const waited = outcomes.filter((o) => o.waitedForSlot);
    const timerLate = outcomes.filter((o) => !o.waitedForSlot && o.lateMs > LATE_MS);
    const late = outcomes.filter((o) => o.lateMs > LATE_MS).length;
    if (r.rate !== undefined) {
      const longest = (list: readonly Outcome[]) => Math.max(0, ...list.map((o) => o.lateMs)).toFixed(0);
      console.log(
        `  schedule: ${outcomes.length - late} of ${outcomes.length} sent within ${LATE_MS} ms of their due time; ${waited.length} waited for one of the ${CONCURRENCY} slots (longest ${longest(waited)} ms), ${timerLate.length} started late by the generator's own timer (longest ${longest(timerLate)} ms)`,
      );
    }
    const appHost = perRequest(r.cpuUsed.find(([name]) => name === "app hosts")?.[1] ?? 0);
    figures.push(
      {
        name: `accepted throughput (${tag})`,
        value: Number(throughput.toFixed(1)),
        unit: "bookings/s",
        target: "≥ 100 bookings/s",
        met: throughput >= 100,
      },
      atMost(`POST /api/bookings p99 (${tag})`, p99, 200, "ms", 0),
      { name: `POST /api/bookings p50 (${tag})`, value: Number(p50.toFixed(0)), unit: "ms" },
      { name: `CPU per request (${tag})`, value: Number(cpuAll.toFixed(1)), unit: "ms" },
      atMost(`bookings left pending (${tag})`, r.stillPending, 0, "bookings", 0),
      { name: `all settled after (${tag})`, value: Number(r.settleSeconds.toFixed(1)), unit: "s" },
      { name: `requests/s (${tag})`, value: Number(requestRate.toFixed(1)), unit: "requests/s" },
      { name: `app host CPU per request (${tag})`, value: Number(appHost.toFixed(1)), unit: "ms" },
    );
    if (r.rate !== undefined)
      figures.push(
        { name: `offered rate (${tag})`, value: r.rate, unit: "requests/s" },
        { name: `late starts over ${LATE_MS} ms (${tag})`, value: late, unit: "requests" },
      );
    if (r.storagePerRequest !== undefined)
      figures.push({
        name: "storage calls per request (request path)",
        value: Number(r.storagePerRequest.toFixed(2)),
      });
    notes.push(
      `${tag}: ${outcomes.length} requests over ${ROOMS} rooms${r.rate === undefined ? `, closed loop, ${CONCURRENCY} in flight` : `, open loop at ${r.rate} requests/s, at most ${CONCURRENCY} in flight`}; CPU per request ${r.cpuUsed.map(([name, seconds]) => `${name} ${perRequest(seconds).toFixed(1)}`).join(", ")} ms`,
    );
  }
  console.log(
    `room calendars: ${roomEvents} live events in ${ROOMS} rooms, ${doubleBookings} double bookings`,
  );
  console.log(
    `load at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  if (results.some((r) => r.stillPending > 0)) {
    // Why bookings stayed pending: the consumer's warnings and errors (ids only), most frequent first.
    const kinds = new Map<string, number>();
    for (const line of consumerLog.lines)
      if (/^\[(error|warn)/.test(line)) {
        const kind = line.replace(/[0-9a-f-]{36}/g, "{id}").slice(0, 200);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    console.log(`consumer warnings and errors (${consumerLog.lines.length} log lines):`);
    for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(`  ${String(n).padStart(5)}  ${kind}`);
  }

  await stopAll();
  printBenchResult({ bench: "booking", figures, notes });
  if (doubleBookings > 0 || results.some((r) => r.stillPending > 0)) process.exitCode = 1;
}

async function appTokenOf(login: string, tenant: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${login}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope: "https://graph.microsoft.com/.default",
    }),
  });
  if (!res.ok) throw new Error(`token ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

interface ViewEvent {
  isCancelled: boolean;
  start: { dateTime: string };
  end: { dateTime: string };
}

async function calendarView(graph: string, token: string, room: string): Promise<ViewEvent[]> {
  const events: ViewEvent[] = [];
  let url: string | undefined =
    `${graph}/v1.0/users/${encodeURIComponent(room)}/calendarView?startDateTime=2027-02-01T00:00:00Z&endDateTime=2027-12-31T00:00:00Z&$top=500&$select=start,end,isCancelled`;
  while (url !== undefined) {
    const res: Response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, prefer: 'outlook.timezone="UTC"' },
    });
    if (!res.ok) throw new Error(`calendarView ${room}: ${res.status}`);
    const page = (await res.json()) as { value: ViewEvent[]; "@odata.nextLink"?: string };
    events.push(...page.value);
    url = page["@odata.nextLink"];
  }
  return events;
}

if (process.env.BENCH_BOOKING_SIMULATOR === "1") {
  stackProcess().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch(async (error: unknown) => {
    console.error(error);
    await stopAll();
    process.exit(1);
  });
}

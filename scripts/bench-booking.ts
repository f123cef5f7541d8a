/**
 * Booking benchmark on the local stack: Azurite, the M365 simulator (the demo tenant plus BENCH_ROOMS
 * room mailboxes that answer invitations automatically) and the local Service Bus broker in processes
 * of their own; the app's HTTP functions on one local host and the `booking-commands` consumer on
 * another in this process; all with the real SDKs.
 *
 * BENCH_REQUESTS booking requests (POST /api/bookings, BENCH_CONCURRENCY in flight) over BENCH_ROOMS
 * rooms, BENCH_CONFLICT_PERCENT of them asking for a slot another request of the run also asks for.
 * Two phases, each on a week of its own (BENCH_CONSUMER=held or concurrent runs one of them):
 * - held: the consumer starts only when the last request has its answer, then drains the queue. In
 *   Azure `booking-commands` runs on instances of its own, so this is the request path as Azure runs
 *   it; the time until everything settled is still reported.
 * - concurrent: the consumer runs on the same two cores while the requests are made.
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
 * BENCH_CONFLICT_PERCENT=30; BENCH_SMOKE=1 for a small run: 100 requests over 20 rooms)
 */
import { fork, type ChildProcess } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
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
import { atMost, printBenchResult, type BenchFigure } from "./bench/result";

const SMOKE = process.env.BENCH_SMOKE === "1";
const SPANS = process.env.BENCH_SPANS === "1";
const COUNT = process.env.BENCH_COUNT === "1";
/** `held`, `concurrent` or `both` (the default): see the header. */
const CONSUMER = process.env.BENCH_CONSUMER ?? "both";
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
  readonly ms: number;
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
  const out = new Map([["app hosts and load", (own.user + own.system) / 1e6]]);
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
  readonly consumer: Consumer;
  readonly outcomes: readonly Outcome[];
  readonly acceptSeconds: number;
  readonly cpuUsed: readonly (readonly [string, number])[];
  readonly settleSeconds: number;
  /** From the consumer's start (held) or the requests' end (concurrent) until nothing was pending. */
  readonly drainSeconds: number;
  readonly stillPending: number;
  readonly finals: ReadonlyMap<string, string>;
  /** Storage calls of the request path per request (held phase only: the consumer is idle then). */
  readonly storagePerRequest?: number;
  /** The consumer's storage calls per accepted booking (held phase only). */
  readonly consumerStoragePerBooking?: number;
}

type Consumer = "held" | "concurrent";

const tableCalls = (): number => [...counts].reduce((a, [k, n]) => a + (k.startsWith("table ") ? n : 0), 0);

async function main(): Promise<void> {
  const cores = availableParallelism();
  const phases: Consumer[] =
    SPANS || COUNT || CONSUMER === "held"
      ? ["held"]
      : CONSUMER === "concurrent"
        ? ["concurrent"]
        : ["held", "concurrent"];
  console.log(
    `booking bench: ${REQUESTS} requests, ${ROOMS} rooms, ${CONFLICT_PERCENT}% conflicting, ${CONCURRENCY} in flight; phases: ${phases.join(", ")}; ${cores} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
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
  // Each phase gets a consumer of its own: the local broker stops delivering to one receiver after
  // about 2,048 messages (its AMQP session window is never renewed), which a single consumer serving
  // both phases of a full run reaches. The Azure Service Bus has no such limit.
  const restartConsumer = async () => {
    await stopConsumer?.();
    stopConsumer = undefined;
  };
  countGraph(sim.graphBaseUrl);

  const tokens = sim.tokens;
  // The load generator runs in this process: plain node:http over kept-alive connections, which costs
  // about half the CPU of fetch per request, so less of the two cores goes to making the load.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  running.push(async () => agent.destroy());
  const target = new URL(api.baseUrl);
  const call = (person: number, method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; json: () => unknown }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${tokens[person] as string}`,
            ...(payload === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({ status: res.statusCode ?? 0, json: () => (text === "" ? {} : JSON.parse(text)) });
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });

  // Warm-up (not part of the figures): token keys, table clients and tables, the broker's sender link,
  // and the booking path compiled, as on an instance that has served before. WARM_UP bookings two weeks
  // before the first phase's, in the first rooms; the consumer writes them with the first phase's.
  for (let i = 0; i < 10; i++) {
    await call(i, "GET", `/api/rooms/${encodeURIComponent(roomAddress(i % ROOMS))}`);
  }
  for (let i = 0; i < WARM_UP; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, WARM_UP - i) }, async (_, j) => {
        const k = i + j;
        const start = FIRST_DAY - 14 * 86_400_000 + (8 + Math.floor(k / ROOMS)) * 3_600_000;
        const res = await call(k % PEOPLE, "POST", "/api/bookings", {
          roomIds: [roomAddress(k % ROOMS)],
          start: new Date(start).toISOString(),
          end: new Date(start + 3_600_000).toISOString(),
          subject: "Bench warm-up",
        });
        if (res.status !== 202) throw new Error(`warm-up booking answered ${res.status}`);
      }),
    );
  }

  // The settle poll reads through clients of its own, so only the app's operations are counted.
  const pollTables = TableService.connect({
    connectionString: azurite.connectionString,
    prefix: "benchbook",
  });
  countNewClients = false;
  await pollTables.table(BOOKINGS_TABLE);
  countNewClients = true;
  const pollStore = new TableBookingStore(pollTables);

  const runPhase = async (consumer: Consumer, index: number): Promise<PhaseResult> => {
    const label =
      consumer === "held"
        ? "consumer held until the requests end, then draining (as in Azure: booking-commands on instances of its own)"
        : "consumer running on the same cores meanwhile";
    console.log(`phase ${index + 1}: ${label}`);
    if (consumer === "concurrent") await startConsumer();
    // Each phase books its own week, so the phases never meet in a room.
    const requests = plan(FIRST_DAY + index * 7 * 86_400_000);
    const outcomes: Outcome[] = [];
    let next = 0;
    spans.clear();
    counts.clear();
    const cpuBefore = cpuSeconds();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++] as Request;
          if (next % Math.max(1, Math.floor(requests.length / 10)) === 0)
            console.log(`  … ${next} of ${requests.length} sent`);
          const t = performance.now();
          let res: { status: number; json: () => unknown };
          let body: { id?: string; type?: string; rule?: string };
          try {
            res = await call(request.person, "POST", "/api/bookings", {
              roomIds: [request.room],
              start: request.start,
              end: request.end,
              subject: "Bench meeting",
            });
            body = res.json() as typeof body;
          } catch (error) {
            // Counted, not retried: a POST whose connection broke may or may not have been taken.
            const code = (error as { code?: string }).code ?? "unknown";
            outcomes.push({ request, status: 0, ms: performance.now() - t, reason: `transport ${code}` });
            continue;
          }
          const ms = performance.now() - t;
          outcomes.push({
            request,
            status: res.status,
            ms,
            ...(res.status === 202 && body.id !== undefined ? { bookingId: body.id } : {}),
            ...(res.status === 202
              ? {}
              : { reason: `${res.status} ${body.type ?? "?"}${body.rule ? ` ${body.rule}` : ""}` }),
          });
        }
      }),
    );
    const ended = performance.now();
    const acceptSeconds = (ended - started) / 1000;
    const cpuUsed = [...cpuSeconds()].map(
      ([name, seconds]) => [name, seconds - (cpuBefore.get(name) ?? 0)] as const,
    );
    if (SPANS) {
      console.log(`time in port calls during the requests (per request, ${outcomes.length} requests):`);
      for (const [key, span] of [...spans].sort((a, b) => b[1].ms - a[1].ms))
        console.log(
          `  ${key.padEnd(32)} ${(span.calls / outcomes.length).toFixed(2)} calls, ${(span.ms / outcomes.length).toFixed(1)} ms`,
        );
    }
    const storagePerRequest = consumer === "held" ? tableCalls() / outcomes.length : undefined;
    if (COUNT || consumer === "held")
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
    if (consumer === "held") {
      consumerStoragePerBooking = tableCalls() / Math.max(1, accepted.length);
      printCounts("operations of the consumer, per accepted booking", Math.max(1, accepted.length));
    } else counts.clear();
    return {
      label,
      consumer,
      outcomes,
      acceptSeconds,
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
  for (const [index, consumer] of phases.entries()) results.push(await runPhase(consumer, index));

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
    console.log(`${r.consumer === "held" ? "HELD" : "CONCURRENT"}: ${r.label}`);
    console.log(
      `  accepted into pending: ${accepted.length} of ${outcomes.length} in ${r.acceptSeconds.toFixed(2)} s`,
    );
    console.log(
      `  throughput ${throughput.toFixed(1)} bookings/s (${(outcomes.length / r.acceptSeconds).toFixed(1)} requests/s)`,
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
      `  CPU while the requests ran, per request: ${r.cpuUsed.map(([name, seconds]) => `${name} ${perRequest(seconds).toFixed(1)} ms`).join(", ")} (${cpuAll.toFixed(1)} ms in all; consumer ${r.consumer === "held" ? "not running" : "running"})`,
    );
    if (r.storagePerRequest !== undefined)
      console.log(
        `  storage calls per request ${r.storagePerRequest.toFixed(2)}; the consumer's per accepted booking ${(r.consumerStoragePerBooking ?? 0).toFixed(2)}`,
      );
    console.log(
      `  every booking confirmed or declined ${r.settleSeconds.toFixed(2)} s after the first request (${r.drainSeconds.toFixed(2)} s after ${r.consumer === "held" ? "the consumer started" : "the last answer"}; ${r.stillPending} still pending)`,
    );
    for (const [reason, count] of [...byReason].sort())
      console.log(`    ${count.toString().padStart(5)}  ${reason}`);
    const tag = r.consumer === "held" ? "consumer held" : "consumer concurrent";
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
    );
    if (r.storagePerRequest !== undefined)
      figures.push({
        name: "storage calls per request (request path)",
        value: Number(r.storagePerRequest.toFixed(2)),
      });
    notes.push(
      `${tag}: ${outcomes.length} requests over ${ROOMS} rooms; CPU per request ${r.cpuUsed.map(([name, seconds]) => `${name} ${perRequest(seconds).toFixed(1)}`).join(", ")} ms`,
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

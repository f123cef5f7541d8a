/**
 * Sync benchmark (issue 4): a simulated tenant of 20,000 users, 2,000 groups (25 members on average)
 * and 1,000 rooms in 20 room lists, synced into Azurite through the real adapters and use cases.
 * Prints Graph requests vs the minimum the page sizes allow, table transactions vs ceil(entities/100),
 * full-sync wall time vs the storage bound (the same entities written with batched upserts alone, in
 * this run), the incremental sync after 1% of users change, and peak RSS of the syncing process.
 *
 * The simulator runs in a child process so its memory does not count against the sync's.
 * Run: npm run bench:sync   (env: BENCH_USERS, BENCH_GROUPS, BENCH_ROOMS; BENCH_INSTANCE_MEMORY_MB, the
 * host's memory that sizes the syncing process's heap; BENCH_TRACE=1 times the incremental run's pages
 * and table requests; BENCH_SKIP_BOUND=1 stops before the storage bound)
 */
import { fork, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { getHeapStatistics } from "node:v8";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { startAzurite } from "../dev/azurite";
import { ensureCa } from "../dev/m365/tls/ca";
import { GraphGateways } from "../shared/adapters/graph/graph-gateways";
import { TableSyncStateStore } from "../shared/adapters/tables/table-sync-state";
import { TableSyncStore } from "../shared/adapters/tables/table-sync-store";
import type { GraphPage } from "../shared/app/ports/m365-gateways";
import type { GraphTokenProvider } from "../shared/app/ports/graph-token-provider";
import type { IntegrationSettings, IntegrationStore } from "../shared/app/ports/integration-store";
import { runSync, type SyncRunResult } from "../shared/app/sync/run-sync";
import type { SyncDependencies } from "../shared/app/sync/sync-dependencies";
import type { Settings } from "../shared/config";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { tableServiceFromSettings } from "../shared/composition/adapters";
import { atMost, printBenchResult } from "./bench/result";

const USERS = Number(process.env.BENCH_USERS ?? 20_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 2_000);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 1_000);
const PAGE = 999;
const SCHEDULES_PER_CALL = 100;

// ---------------------------------------------------------------- table requests

/** Table requests sent (every try), by kind: entity-group transactions, point reads, query pages, the rest. */
interface TableCalls {
  batch: number;
  read: number;
  query: number;
  other: number;
}

/** With BENCH_TRACE set: each table request's kind, start and duration (ms since the trace began). */
const trace: { on: boolean; t0: number; table: Array<[keyof TableCalls, number, number]> } = {
  on: false,
  t0: 0,
  table: [],
};

function countingPolicy(calls: TableCalls): PipelinePolicy {
  return {
    name: "benchTableCalls",
    sendRequest: async (request, next) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      let kind: keyof TableCalls;
      if (request.method === "POST" && path.endsWith("/$batch")) kind = "batch";
      else if (request.method === "GET" && /\(PartitionKey='.*',RowKey='.*'\)$/.test(path)) kind = "read";
      else if (request.method === "GET") kind = "query";
      else kind = "other";
      calls[kind]++;
      const t = performance.now();
      const response = await next(request);
      if (trace.on) trace.table.push([kind, t - trace.t0, performance.now() - t]);
      return response;
    },
  };
}

const since = (now: TableCalls, before: TableCalls): TableCalls => ({
  batch: now.batch - before.batch,
  read: now.read - before.read,
  query: now.query - before.query,
  other: now.other - before.other,
});

const totalCalls = (c: TableCalls): number => c.batch + c.read + c.query + c.other;

const callsText = (c: TableCalls): string =>
  `${totalCalls(c)} (${c.batch} transactions, ${c.read} point reads, ${c.query} query pages, ${c.other} other)`;

/**
 * The function host's memory (infra: `instanceMemoryMB`, 2,048 MB by default). Node sizes V8's old
 * generation from the memory its container may use (a quarter of it), and V8 lets a heap grow further
 * beyond its live objects the larger that limit is (up to 4× from 2 GB on): on this machine's 24 GB the
 * syncing process would run with a 4 GB limit no host gives it. BENCH_INSTANCE_MEMORY_MB=0 keeps this
 * machine's sizing.
 */
const INSTANCE_MEMORY_MB = Number(process.env.BENCH_INSTANCE_MEMORY_MB ?? 2048);
const hostHeap = (): string[] =>
  INSTANCE_MEMORY_MB > 0 ? [`--max-old-space-size=${Math.floor(INSTANCE_MEMORY_MB / 4)}`] : [];

/** Where the simulator keeps its local CA (dev/ensure-ca's folder). */
const LOCAL_CA_DIR = ".local/m365";

// ---------------------------------------------------------------- child: the simulator

type ToChild = { op: "count"; since: number } | { op: "change"; percent: number } | { op: "stop" };

async function runChild(): Promise<void> {
  // Loaded here only: the simulator's modules are no part of the process that syncs (whose memory
  // the bench measures).
  const { startM365Simulator } = await import("../dev/m365");
  const { DEMO_APPS } = await import("../dev/m365/seed/demo-tenant");
  const { LISTS, scaleTenantSeed } = await import("./scale-tenant");
  const t0 = performance.now();
  const seed = scaleTenantSeed({ users: USERS, groups: GROUPS, rooms: ROOMS });
  const sim = await startM365Simulator({ caDir: LOCAL_CA_DIR, seed });
  const seededMs = performance.now() - t0;
  sim.control.log.capacity = 1_000_000;
  const memberships = [...sim.control.store.groups.values()].reduce((n, g) => n + g.members.size, 0);
  process.send?.({
    ready: true,
    baseUrl: sim.graphBaseUrl,
    loginBaseUrl: sim.loginBaseUrl,
    tenantId: sim.tenantId,
    memberships,
    seededMs,
    lists: LISTS,
    app: DEMO_APPS.applicationPermission,
  });
  process.on("message", (m: ToChild) => {
    if (m.op === "count") {
      const entries = sim.control.log.entries({ kind: "graph", sinceSeq: m.since });
      const byPath: Record<string, number> = {};
      for (const e of entries) {
        const key = e.path
          .replace(/\/places\/[^/]+\/microsoft\.graph\.roomList\/rooms/i, "/places/{list}/rooms")
          .replace(/\/users\/[^/]+\/calendar\/getSchedule/i, "/users/{room}/calendar/getSchedule");
        byPath[key] = (byPath[key] ?? 0) + 1;
      }
      const timings = entries.map((e) => `${e.path.replace(/^\/v1\.0/, "")} ${e.durationMs.toFixed(0)} ms`);
      process.send?.({ count: entries.length, byPath, lastSeq: sim.control.log.lastSeq, timings });
    } else if (m.op === "change") {
      const people = [...sim.control.store.users.values()].filter((u) => !u.isRoomMailbox);
      const n = Math.round((people.length * m.percent) / 100);
      for (let i = 0; i < n; i++)
        sim.control.updateUser(people[i * Math.floor(people.length / n)]!.id, { jobTitle: "Changed" });
      process.send?.({ changed: n });
    } else {
      void sim.stop().then(() => process.exit(0));
    }
  });
}

// ---------------------------------------------------------------- parent: the sync

/** The stream being read, for memory peaks by phase; and page arrival times with BENCH_TRACE. */
let phase = "start";
const phasePeaks: Record<string, NodeJS.MemoryUsage> = {};
const pageTrace: string[] = [];

async function* traced<T>(stream: string, pages: AsyncIterable<GraphPage<T>>): AsyncGenerator<GraphPage<T>> {
  phase = stream;
  let asked = performance.now();
  for await (const page of pages) {
    if (trace.on)
      pageTrace.push(
        `${stream} page of ${page.items.length}: asked at ${(asked - trace.t0).toFixed(0)} ms, ` +
          `came after ${(performance.now() - asked).toFixed(0)} ms`,
      );
    yield page;
    asked = performance.now();
  }
}

class Child {
  private waiting: Array<(m: Record<string, unknown>) => void> = [];
  constructor(readonly proc: ReturnType<typeof fork>) {
    proc.on("message", (m) => this.waiting.shift()?.(m as Record<string, unknown>));
  }
  ask(m: ToChild | undefined): Promise<Record<string, unknown>> {
    return new Promise((res) => {
      this.waiting.push(res);
      if (m) this.proc.send(m);
    });
  }
}

/** Up to `n` rows of a table, spread over its partitions (the synced people's 16 buckets). */
async function sampleRows(client: TableClient, n: number): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  const perPartition = Math.ceil(n / 16);
  for (let i = 0; i < 16; i++) {
    const pages = client
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${`u${i.toString(16)}`}` },
      })
      .byPage({ maxPageSize: perPartition });
    const first = await pages.next();
    for (const r of first.done === true ? [] : first.value) {
      const { etag: _e, timestamp: _t, ...rest } = r as Record<string, unknown>;
      rows.push(rest);
    }
  }
  return rows.slice(0, n);
}

/**
 * Upserts `rows` (Replace) in 100-row transactions per partition, 8 in flight, as the sync's writer
 * does; resolves to the ms taken.
 */
async function writeRows(client: TableClient, rows: Array<Record<string, unknown>>): Promise<number> {
  const t0 = performance.now();
  const byPk = new Map<string, Array<Record<string, unknown>>>();
  for (const r of rows) {
    const group = byPk.get(String(r.partitionKey));
    if (group === undefined) byPk.set(String(r.partitionKey), [r]);
    else group.push(r);
  }
  const batches: TransactionAction[][] = [];
  for (const group of byPk.values())
    for (let i = 0; i < group.length; i += 100)
      batches.push(
        group
          .slice(i, i + 100)
          .map((e) => ["upsert", e as { partitionKey: string; rowKey: string }, "Replace"]),
      );
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) await client.submitTransaction(batches[next++]!);
    }),
  );
  return performance.now() - t0;
}

async function main(): Promise<void> {
  // The simulator keeps the machine's own heap sizing: the host's limit is the syncing process's.
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--max-old-space-size"));
  const child = new Child(fork(__filename, ["--child"], { execArgv, stdio: "inherit" }));
  const ready = (await child.ask(undefined)) as {
    baseUrl: string;
    loginBaseUrl: string;
    tenantId: string;
    memberships: number;
    seededMs: number;
    lists: number;
    app: { clientId: string; secret: string };
  };
  const LISTS = ready.lists;
  // Printed at once: at a large size the sync itself takes a while.
  console.log(
    `simulator seeded (tenant and its week of meetings) and serving in ${ready.seededMs.toFixed(0)} ms; syncing process ${process.pid}, V8 heap limit ${(getHeapStatistics().heap_size_limit / 2 ** 20).toFixed(0)} MB (host memory ${INSTANCE_MEMORY_MB > 0 ? `${INSTANCE_MEMORY_MB} MB` : "this machine's"})`,
  );
  const azurite = await startAzurite();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    const p = (phasePeaks[phase] ??= m);
    if (m.rss > p.rss) phasePeaks[phase] = m;
  }, 25);
  try {
    const calls: TableCalls = { batch: 0, read: 0, query: 0, other: 0 };
    const tables = tableServiceFromSettings(
      { TABLES_CONNECTION_STRING: azurite.connectionString, TABLE_PREFIX: "bench" } as Settings,
      { additionalPolicies: [{ policy: countingPolicy(calls), position: "perRetry" }] },
    );
    const store = new TableSyncStore(tables);
    const state = new TableSyncStateStore(tables);
    const settings: IntegrationSettings = {
      name: "bench",
      cloud: "global",
      tenantId: ready.tenantId,
      clientId: ready.app.clientId,
      mode: "application",
      updatedAt: new Date(),
    };
    const integration: IntegrationStore = {
      get: () => Promise.resolve(settings),
      clientSecret: () => Promise.resolve(ready.app.secret),
      hasClientSecret: () => Promise.resolve(true),
      save: () => Promise.resolve(),
    };
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: settings.clientId,
        clientSecret: ready.app.secret,
        authority: `${ready.loginBaseUrl}/${ready.tenantId}`,
        knownAuthorities: [new URL(ready.loginBaseUrl).host],
      },
    });
    const tokens: GraphTokenProvider = {
      appToken: async () =>
        (await cca.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] }))!
          .accessToken,
      userToken: () => Promise.reject(new Error("not used")),
      usersWithToken: () => Promise.resolve([]),
    };
    const graph = new GraphGateways(ready.baseUrl, tokens);
    const deps: SyncDependencies = {
      integration,
      gateways: {
        places: () => graph.places(),
        roomCalendarProbe: () => graph.roomCalendarProbe(),
        directory: () => {
          const d = graph.directory();
          return {
            users: (from) => traced("users", d.users(from)),
            groups: (from) => traced("groups", d.groups(from)),
          };
        },
      },
      store,
      state,
      roomDeactivation: { roomsDeactivated: () => Promise.resolve(0) },
      now: () => new Date(),
      newRunId: () => randomUUID(),
      defaultTimeZone: "UTC",
    };
    await tokens.appToken(); // token fetch outside the timings

    const timed = async (kind: "rooms" | "directory"): Promise<{ ms: number; result: SyncRunResult }> => {
      const t0 = performance.now();
      const result = await runSync(deps, kind, "admin");
      if (result.outcome !== "succeeded")
        throw new Error(`${kind} sync ${result.outcome}: ${JSON.stringify(result.status?.lastError)}`);
      return { ms: performance.now() - t0, result };
    };

    // Full sync.
    const callsAtStart = { ...calls };
    phase = "rooms";
    const rooms = await timed("rooms");
    const directory = await timed("directory");
    phase = "after full sync";
    const fullMs = rooms.ms + directory.ms;
    const fullCalls = since(calls, callsAtStart);
    const fullPeak = peakRss;
    peakRss = 0;
    const requests = (await child.ask({ op: "count", since: 0 })) as {
      count: number;
      byPath: Record<string, number>;
      lastSeq: number;
    };
    const peopleRead = USERS + ROOMS; // room mailboxes come with /users/delta too
    const minRequests =
      Math.ceil(peopleRead / PAGE) +
      Math.ceil(GROUPS / PAGE) +
      Math.ceil(LISTS / PAGE) +
      LISTS * Math.ceil(ROOMS / LISTS / PAGE) +
      Math.ceil(ROOMS / PAGE) +
      Math.ceil(ROOMS / SCHEDULES_PER_CALL);
    const entities = USERS + GROUPS + ready.memberships + ROOMS + LISTS;
    const transactions =
      (rooms.result.status?.counts?.transactions ?? 0) + (directory.result.status?.counts?.transactions ?? 0);
    const minTransactions = Math.ceil(entities / 100);

    // Incremental after 1% of users change.
    const before = requests.lastSeq;
    const changed = (await child.ask({ op: "change", percent: 1 })) as { changed: number };
    const callsBeforeIncremental = { ...calls };
    trace.on = process.env.BENCH_TRACE !== undefined;
    trace.t0 = performance.now();
    phase = "incremental";
    const incremental = await timed("directory");
    trace.on = false;
    const incCalls = since(calls, callsBeforeIncremental);
    const incRequests = (await child.ask({ op: "count", since: before })) as {
      count: number;
      timings: string[];
    };
    if (process.env.BENCH_TRACE !== undefined) {
      console.log(`incremental, Graph time in the simulator: ${incRequests.timings.join(", ")}`);
      for (const line of pageTrace) console.log(`incremental, ${line}`);
      const byKind = new Map<string, { n: number; ms: number; max: number }>();
      for (const [kind, , ms] of trace.table) {
        const k = byKind.get(kind) ?? { n: 0, ms: 0, max: 0 };
        byKind.set(kind, { n: k.n + 1, ms: k.ms + ms, max: Math.max(k.max, ms) });
      }
      for (const [kind, k] of byKind)
        console.log(
          `incremental, table ${kind}: ${k.n} requests, ${k.ms.toFixed(0)} ms in all, longest ${k.max.toFixed(0)} ms`,
        );
      console.log(
        `incremental, table requests (kind start+duration ms): ${trace.table.map(([k, t, d]) => `${k} ${t.toFixed(0)}+${d.toFixed(0)}`).join(", ")}`,
      );
    }

    const incrementalPeak = peakRss;

    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    const lines = [
      `tenant: ${USERS} users, ${GROUPS} groups (${ready.memberships} memberships, ${(ready.memberships / GROUPS).toFixed(1)} avg), ${ROOMS} rooms in ${LISTS} room lists`,
      `Graph requests (full sync): ${requests.count} vs minimum ${minRequests} (${(requests.count / minRequests).toFixed(2)}×; target ≤ 1.1×)`,
      `  by path: ${Object.entries(requests.byPath)
        .map(([p, n]) => `${p} ${n}`)
        .join(", ")}`,
      `table transactions (full sync): ${transactions} vs ceil(${entities}/100) = ${minTransactions} (${(transactions / minTransactions).toFixed(2)}×; target ≤ 1.2×)`,
      `full sync: ${(fullMs / 1000).toFixed(1)} s (rooms ${(rooms.ms / 1000).toFixed(1)} s, directory ${(directory.ms / 1000).toFixed(1)} s)`,
      `incremental sync after ${changed.changed} users changed (1%): ${(incremental.ms / 1000).toFixed(2)} s, ${incRequests.count} Graph requests, ${incremental.result.status?.counts?.written ?? 0} entities written (target ≤ 2 s)`,
      `table requests (full sync): ${callsText(fullCalls)}; per user ${(totalCalls(fullCalls) / USERS).toFixed(4)}, Graph requests per user ${(requests.count / USERS).toFixed(4)}`,
      `table requests (incremental): ${callsText(incCalls)}; per changed user ${(totalCalls(incCalls) / Math.max(1, changed.changed)).toFixed(2)}, Graph requests per changed user ${(incRequests.count / Math.max(1, changed.changed)).toFixed(3)}`,
      `peak RSS of the syncing process: full sync ${mb(fullPeak)}, incremental ${mb(incrementalPeak)} (target ≤ 300 MB)`,
    ];
    // Azurite's share: the same rows written again (100-row transactions, 8 in flight, as the writer
    // does) into the synced users table and into a table holding only them. Real Table Storage
    // answers a transaction at a cost that does not depend on the table's size; Azurite's in-memory
    // store does not (each replaced row is removed from and re-inserted into its row arrays).
    const sample = await sampleRows(await tables.table("users"), Math.max(1, changed.changed));
    const probe = await tables.table("probe");
    await probe.createTable();
    await writeRows(probe, sample);
    const inUsers = await writeRows(await tables.table("users"), sample);
    const inProbe = await writeRows(probe, sample);
    await probe.deleteTable();
    lines.push(
      `Azurite: the same ${sample.length} rows replaced in 100-row transactions: ${(inUsers / 1000).toFixed(2)} s in the synced users table (${USERS} rows), ${(inProbe / 1000).toFixed(2)} s in a table of ${sample.length} rows`,
    );
    for (const [name, m] of Object.entries(phasePeaks))
      lines.push(
        `  peak in phase ${name}: rss ${mb(m.rss)}, heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)}, array buffers ${mb(m.arrayBuffers)}`,
      );
    // Printed before the storage bound, which takes a while at a large size.
    for (const l of lines) console.log(l);
    if (process.env.BENCH_SKIP_BOUND !== undefined) return;

    // Storage bound: the same entities, read back, written again with batched upserts alone.
    const boundTables = tableServiceFromSettings({
      TABLES_CONNECTION_STRING: azurite.connectionString,
      TABLE_PREFIX: "bound",
    } as Settings);
    // People, groups and memberships are read one partition at a time: Azurite filters and sorts what
    // is left of the table for every page, so one scan of ~700,000 rows costs the square of it.
    const buckets = (letter: string) => Array.from({ length: 16 }, (_, i) => `${letter}${i.toString(16)}`);
    const partitions: Record<string, string[] | undefined> = {
      users: buckets("u"),
      groups: buckets("g"),
      memberships: buckets("m"),
    };
    // One table at a time (the syncing process runs with the host's heap, which does not hold every
    // row at once): read back, drop the synced table (Azurite holds tables in memory, and the sync
    // wrote each table without its copy), then time the copy's writes. The bound is the sum.
    let readBack = 0;
    let boundMs = 0;
    for (const t of ["rooms", "roomLists", "users", "groups", "memberships"]) {
      const rows: Array<Record<string, unknown>> = [];
      const client = await tables.table(t);
      for (const pk of partitions[t] ?? [undefined]) {
        const queryOptions = pk === undefined ? {} : { filter: odata`PartitionKey eq ${pk}` };
        for await (const r of client.listEntities<Record<string, unknown>>({ queryOptions })) {
          const { etag: _e, timestamp: _t, ...rest } = r as Record<string, unknown>;
          rows.push(rest);
        }
      }
      readBack += rows.length;
      await client.deleteTable();
      boundMs += await writeRows(await boundTables.table(t), rows);
    }
    if (readBack !== entities) console.log(`storage bound: read back ${readBack} rows, expected ${entities}`);
    console.log(
      `full sync ${(fullMs / 1000).toFixed(1)} s vs storage bound ${(boundMs / 1000).toFixed(1)} s (${(fullMs / boundMs).toFixed(2)}×; target ≤ 2×)`,
    );

    const peakMb = Math.max(fullPeak, incrementalPeak) / 1024 / 1024;
    printBenchResult({
      bench: "sync",
      figures: [
        atMost("Graph requests vs minimum (full sync)", requests.count / minRequests, 1.1, "×"),
        atMost("table transactions vs minimum (full sync)", transactions / minTransactions, 1.2, "×"),
        atMost("full sync time vs storage bound", fullMs / boundMs, 2, "×"),
        atMost("incremental sync after 1% changed", incremental.ms / 1000, 2, "s"),
        atMost("peak RSS of the syncing process", peakMb, 300, "MB", 0),
      ],
      notes: [`${USERS} users, ${GROUPS} groups, ${ROOMS} rooms`],
    });
  } finally {
    clearInterval(sampler);
    child.proc.send({ op: "stop" } satisfies ToChild);
    await azurite.stop();
  }
}

if (process.argv.includes("--child")) {
  void runChild();
} else if (process.env.NODE_EXTRA_CA_CERTS !== resolve(ensureCa(LOCAL_CA_DIR).certPath)) {
  // Node reads extra CAs only at start-up: run again with the simulator's CA trusted.
  const r = spawnSync(process.execPath, [...hostHeap(), ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: resolve(ensureCa(LOCAL_CA_DIR).certPath) },
  });
  process.exit(r.status ?? 1);
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

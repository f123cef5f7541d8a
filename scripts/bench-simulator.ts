/**
 * Benchmarks the M365 simulator (`npm run bench:simulator`):
 *  1. seeding a 50,000-user tenant (generation + load into the store);
 *  2. seeding the demo week of meetings into 1,000 and 5,000 rooms (BENCH_CALENDAR_ROOMS, comma-separated);
 *  3. seeding a large tenant the way the simulator starts with it (BENCH_SCALE=users,groups,rooms, default
 *     200,000 users, 20,000 groups, 10,000 rooms): directory, groups with members, places, mailbox
 *     settings and the week of meetings, through `startM365Simulator`;
 *  4. simple Graph requests per second (GET /v1.0/users/{id} with an app token) over keep-alive HTTPS,
 *     the simulator running in a child process so the load generator doesn't share its event loop.
 */
import { fork } from "node:child_process";
import { Agent, request } from "node:https";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ensureCa, startM365Simulator, DEMO_APPS, demoTenantSeed } from "../dev/m365";
import { applySeed } from "../dev/m365/seed/tenant-seed";
import { TenantStore } from "../dev/m365/store/tenant-store";
import { Clock } from "../dev/m365/store/clock";
import { seedCalendars } from "../dev/m365/calendar/seed";
import { calendarsOf } from "../dev/m365/store/calendars";
import type { SimulatorServices } from "../dev/m365/services";
import { scaleTenantSeed } from "./scale-tenant";
import { printBenchResult } from "./bench/result";

const CA_DIR = resolve(".local/m365");
const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SCALE = (process.env.BENCH_SCALE ?? "200000,20000,10000").split(",").map(Number);
const CALENDAR_ROOMS = (process.env.BENCH_CALENDAR_ROOMS ?? "1000,5000").split(",").map(Number);

interface ChildReady {
  baseUrl: string;
  ids: string[];
}

async function runChild(): Promise<void> {
  const sim = await startM365Simulator({ caDir: CA_DIR, seed: "demo" });
  sim.control.log.capacity = 1000;
  const ids = [...sim.control.store.users.values()].map((u) => u.id);
  process.send?.({ baseUrl: sim.graphBaseUrl, ids } satisfies ChildReady);
  process.on("message", (m) => {
    if (m === "stop") void sim.stop().then(() => process.exit(0));
  });
}

function benchSeed(): { generateMs: number; loadMs: number } {
  const t0 = performance.now();
  const seed = demoTenantSeed({ users: USERS });
  const t1 = performance.now();
  const store = new TenantStore(new Clock(), "bench");
  applySeed(store, seed);
  const t2 = performance.now();
  if (store.users.size < USERS) throw new Error("seed incomplete");
  return { generateMs: t1 - t0, loadMs: t2 - t1 };
}

/** The demo tenant with `rooms` room mailboxes (the demo's 24 plus copies of them), seeded with its week of meetings. */
function benchCalendarSeed(rooms: number): { loadMs: number; calendarMs: number; events: number } {
  const seed = demoTenantSeed({ users: 2000 });
  const template = seed.rooms ?? [];
  const extra = Array.from({ length: Math.max(0, rooms - template.length) }, (_, i) => {
    const t = template[i % template.length]!;
    const [local, domain] = t.emailAddress.split("@");
    return { ...t, emailAddress: `${local}-b${i}@${domain}`, displayName: `${t.displayName} B${i}` };
  });
  seed.rooms = [...template, ...extra];
  const clock = new Clock();
  const store = new TenantStore(clock, seed.tenantId ?? "bench");
  const t0 = performance.now();
  applySeed(store, seed);
  const t1 = performance.now();
  seedCalendars({ store, clock } as unknown as SimulatorServices, seed);
  const t2 = performance.now();
  let events = 0;
  for (const box of calendarsOf(store).mailboxes.values()) events += box.events.size;
  return { loadMs: t1 - t0, calendarMs: t2 - t1, events };
}

/** Starts the simulator on a generated tenant at scale and times it (seeding is all but the whole of it). */
async function benchScaleSeed(): Promise<{
  generateMs: number;
  startMs: number;
  /** CPU time of this process while the simulator started: steadier than wall time on a shared machine. */
  startCpuMs: number;
  events: number;
}> {
  const [users = 0, groups = 0, rooms = 0] = SCALE;
  const t0 = performance.now();
  const seed = scaleTenantSeed({ users, groups, rooms });
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const sim = await startM365Simulator({ caDir: CA_DIR, seed });
  const cpu = process.cpuUsage(cpu0);
  const t2 = performance.now();
  let events = 0;
  for (const box of calendarsOf(sim.control.store).mailboxes.values()) events += box.events.size;
  await sim.stop();
  return { generateMs: t1 - t0, startMs: t2 - t1, startCpuMs: (cpu.user + cpu.system) / 1000, events };
}

function call(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  method = "GET",
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolveCall, reject) => {
    const req = request(url, { agent, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolveCall({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

async function benchRequests(): Promise<{ rps: number; errors: number; p50: number; p99: number }> {
  const child = fork(__filename, [], {
    env: { ...process.env, BENCH_SIM_CHILD: "1" },
    execArgv: process.execArgv,
  });
  const ready = await new Promise<ChildReady>((res) => child.once("message", (m) => res(m as ChildReady)));
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: readFileSync(`${CA_DIR}/ca.pem`) });
  try {
    const tokenRes = await call(
      agent,
      `${ready.baseUrl}/${"5f0c1b9e-6d6b-4c4e-9a61-0e5e2d6a7c01"}/oauth2/v2.0/token`,
      { "content-type": "application/x-www-form-urlencoded" },
      "POST",
      new URLSearchParams({
        grant_type: "client_credentials",
        client_id: DEMO_APPS.applicationPermission.clientId,
        client_secret: DEMO_APPS.applicationPermission.secret,
        scope: "https://graph.microsoft.com/.default",
      }).toString(),
    );
    const token = (JSON.parse(tokenRes.body) as { access_token: string }).access_token;
    const headers = { Authorization: `Bearer ${token}` };
    // warm-up (TLS sessions, JIT)
    await Promise.all(
      Array.from({ length: CONCURRENCY * 4 }, (_, i) =>
        call(agent, `${ready.baseUrl}/v1.0/users/${ready.ids[i % ready.ids.length]}`, headers),
      ),
    );
    let next = 0;
    let errors = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const i = next++;
          const s = performance.now();
          const r = await call(
            agent,
            `${ready.baseUrl}/v1.0/users/${ready.ids[i % ready.ids.length]}`,
            headers,
          );
          latencies.push(performance.now() - s);
          if (r.status !== 200) errors++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      rps: REQUESTS / seconds,
      errors,
      p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
      p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    };
  } finally {
    agent.destroy();
    child.send("stop");
  }
}

async function main(): Promise<void> {
  ensureCa(CA_DIR);
  const seed = benchSeed();
  console.log(
    `seed ${USERS} users: ${(seed.generateMs + seed.loadMs).toFixed(0)} ms (generate ${seed.generateMs.toFixed(0)} ms, load ${seed.loadMs.toFixed(0)} ms) — target < 10000 ms`,
  );
  for (const rooms of CALENDAR_ROOMS) {
    const c = benchCalendarSeed(rooms);
    console.log(
      `seed ${rooms} rooms with the demo week: calendars ${c.calendarMs.toFixed(0)} ms (${c.events} stored events), directory ${c.loadMs.toFixed(0)} ms`,
    );
  }
  const [users = 0, groups = 0, rooms = 0] = SCALE;
  const scale = await benchScaleSeed();
  console.log(
    `seed ${users} users, ${groups} groups, ${rooms} rooms with the demo week: ${scale.startMs.toFixed(0)} ms to a serving simulator (CPU ${scale.startCpuMs.toFixed(0)} ms; ${scale.events} stored events; generating the seed ${scale.generateMs.toFixed(0)} ms) — target < 60000 ms`,
  );
  const r = await benchRequests();
  console.log(
    `simple Graph requests: ${r.rps.toFixed(0)} req/s over ${REQUESTS} GET /v1.0/users/{id}, concurrency ${CONCURRENCY}, errors ${r.errors}, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms — target >= 2000 req/s`,
  );
  const seedMs = seed.generateMs + seed.loadMs;
  printBenchResult({
    bench: "simulator",
    figures: [
      {
        name: `seed ${USERS} users`,
        value: Math.round(seedMs),
        unit: "ms",
        target: "< 10,000 ms",
        met: seedMs < 10_000,
      },
      {
        name: `seed ${users} users, ${groups} groups, ${rooms} rooms with the demo week`,
        value: Math.round(scale.startMs),
        unit: "ms",
        target: "< 60,000 ms",
        met: scale.startMs < 60_000,
      },
      {
        name: "simple Graph requests",
        value: Math.round(r.rps),
        unit: "req/s",
        target: "≥ 2,000 req/s",
        met: r.rps >= 2_000,
      },
    ],
  });
}

if (process.env.BENCH_SIM_CHILD === "1") {
  void runChild();
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}

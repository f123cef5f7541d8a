/**
 * Notification intake benchmark: 10,000 change notifications (10 per POST, 32 requests in flight) to
 * POST /api/graph/notifications on the local host, with the real intake (subscription lookup in
 * Azurite, cached per worker; clientState checked; messages queued on the local Service Bus broker).
 * In the same run, the same load against a bare node:http handler that reads the body and answers
 * 202, as the ceiling of what the machine can do. Prints p50 / p99 latency and throughput of both.
 *
 * Run: npm run bench:intake   (env: BENCH_NOTIFICATIONS, BENCH_PER_POST, BENCH_CONCURRENCY)
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { availableParallelism } from "node:os";
import type { AddressInfo } from "node:net";
import { startAzurite } from "../dev/azurite";
import { startHost } from "../dev/host";
import { memoryLogger } from "../dev/host/logger";
import { startServiceBus } from "../dev/servicebus";
import { graphNotifications } from "../functions/graph-notifications";
import { TableRoomSubscriptionStore } from "../shared/adapters/tables/table-room-subscriptions";
import { hashClientState } from "../shared/app/calendar/client-state";
import { queueSettings } from "../shared/app/ports/work-queue";
import { resetServices } from "../shared/composition";
import { getServices } from "../shared/composition/services";
import { resetSettings } from "../shared/config";
import { printBenchResult } from "./bench/result";

const TOTAL = Number(process.env.BENCH_NOTIFICATIONS ?? 10_000);
const PER_POST = Number(process.env.BENCH_PER_POST ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROOMS = 20;
const WARMUP_POSTS = 50;

interface Result {
  readonly label: string;
  readonly posts: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

async function load(label: string, url: string, bodies: readonly string[]): Promise<Result> {
  const fire = async (body: string): Promise<boolean> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body,
    });
    await res.arrayBuffer();
    return res.status === 202;
  };
  // Warm-up: connections, caches, the broker's links.
  for (let i = 0; i < WARMUP_POSTS; i++) await fire(bodies[i % bodies.length] as string);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const t = performance.now();
        if (!(await fire(body))) errors++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { label, posts: bodies.length, seconds, p50: at(0.5), p99: at(0.99), errors };
}

function bare(): Promise<Server> {
  const server = createServer((req, res) => {
    req.on("data", () => undefined);
    req.on("end", () => {
      res.writeHead(202);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const bus = await startServiceBus({
    queues: [
      {
        name: "calendar-changes",
        maxDeliveryCount: queueSettings["calendar-changes"].maxDeliveryCount,
        lockDurationMs: 60_000,
      },
    ],
  });
  Object.assign(process.env, {
    TABLES_CONNECTION_STRING: azurite.connectionString,
    TABLE_PREFIX: "bench",
    SERVICEBUS: bus.connectionString,
  });
  resetSettings();
  await resetServices();
  const host = await startHost({
    functions: [graphNotifications],
    port: 0,
    env: {},
    logger: memoryLogger(),
    timers: false,
  });
  const server = await bare();

  // Subscriptions of 20 rooms, as the renewal timer would have stored them.
  const store = new TableRoomSubscriptionStore(getServices().tables);
  const subs = Array.from({ length: ROOMS }, (_, i) => ({
    id: `bench-subscription-${i}`,
    clientState: randomBytes(32).toString("base64url"),
    room: `room-${i}@contoso.example`,
  }));
  for (const s of subs) {
    await store.save({
      subscriptionId: s.id,
      roomId: s.room,
      clientStateHash: hashClientState(s.clientState),
      expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      createdAt: new Date().toISOString(),
      state: "active",
    });
  }
  // Graph batches notifications per endpoint: each POST carries changes of a few rooms.
  const bodies = Array.from({ length: Math.ceil(TOTAL / PER_POST) }, (_, p) => {
    const value = Array.from({ length: PER_POST }, (_, i) => {
      const sub = subs[(p * 3 + (i % 3)) % ROOMS] as (typeof subs)[number];
      const eventId = `AAMkAD${p}-${i}`;
      return {
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
        changeType: i % 4 === 0 ? "created" : "updated",
        resource: `Users/${sub.room}/Events/${eventId}`,
        resourceData: {
          "@odata.type": "#Microsoft.Graph.Event",
          "@odata.id": `Users/${sub.room}/Events/${eventId}`,
          "@odata.etag": `W/"${p}"`,
          id: eventId,
        },
        clientState: sub.clientState,
        tenantId: "bench-tenant",
      };
    });
    return JSON.stringify({ value });
  });

  const port = (server.address() as AddressInfo).port;
  const baseline = await load("bare node:http (read body, 202)", `http://127.0.0.1:${port}/`, bodies);
  const intake = await load(
    "POST /api/graph/notifications",
    `${host.baseUrl}/api/graph/notifications`,
    bodies,
  );
  const queued = bus.stats()["calendar-changes"];

  const row = (r: Result) =>
    `| ${r.label} | ${r.posts} | ${((r.posts * PER_POST) / r.seconds).toFixed(0)} notifications/s (${(r.posts / r.seconds).toFixed(0)} POST/s) | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.errors} |`;
  console.log(
    `\n${TOTAL} notifications, ${PER_POST} per POST, ${CONCURRENCY} concurrent; ${availableParallelism()} cores, Node ${process.version}\n`,
  );
  console.log("| endpoint | POSTs | throughput | p50 | p99 | errors |");
  console.log("|---|---|---|---|---|---|");
  console.log(row(baseline));
  console.log(row(intake));
  const share = baseline.seconds / intake.seconds;
  console.log(
    `\nintake throughput = ${(share * 100).toFixed(0)}% of the bare handler (target ≥ 50%); p99 ${intake.p99.toFixed(1)} ms (target ≤ 50 ms)`,
  );
  console.log(`messages on calendar-changes: ${(queued?.active ?? 0) + (queued?.scheduled ?? 0)}`);
  printBenchResult({
    bench: "intake",
    figures: [
      {
        name: "intake throughput / bare handler",
        value: Math.round(share * 100),
        unit: "%",
        target: "≥ 50%",
        met: share >= 0.5,
      },
      {
        name: "intake p99",
        value: Number(intake.p99.toFixed(1)),
        unit: "ms",
        target: "≤ 50 ms",
        met: intake.p99 <= 50,
      },
    ],
  });

  await host.stop();
  await new Promise((resolve) => server.close(resolve));
  await resetServices();
  await bus.stop();
  await azurite.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

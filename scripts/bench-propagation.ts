/**
 * Propagation benchmark: from a change made through the API until every one of 50 connected display
 * clients (the real @azure/web-pubsub-client, reliable protocol, against the local Web PubSub service)
 * has the room's new snapshot. The change is a walk-in booked through `POST /api/displays/actions/book-now`
 * (the booking engine's reservation and snapshot publish; the integration in the delegated resource-only
 * mode, so no Graph write is on the path). The app's clock is moved 40 minutes per change so every
 * walk-in finds the room free. Prints p50 / p95 / max over the changes.
 *
 * Run: npm run bench:propagation   (env: BENCH_CLIENTS, BENCH_CHANGES)
 */
import { availableParallelism } from "node:os";
import { WebPubSubClient } from "@azure/web-pubsub-client";
import { startAzurite } from "../dev/azurite";
import { startHost } from "../dev/host";
import { memoryLogger } from "../dev/host/logger";
import { startWebPubSub } from "../dev/webpubsub";
import { functionCatalog } from "../functions/catalog";
import { TableBookingStore } from "../shared/adapters/tables/table-booking-store";
import { TableSyncStore } from "../shared/adapters/tables/table-sync-store";
import { overrideServices, resetServices } from "../shared/composition";
import { issuePairingCode, pairDisplay, registerDisplay } from "../shared/composition/displays";
import { getServices } from "../shared/composition/services";
import { resetSettings } from "../shared/config";
import { roomHash, type Room } from "../shared/domain/rooms/room";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
const ROOM = "bench-room@contoso.example";

const room: Room = {
  id: ROOM,
  email: ROOM,
  displayName: "Bench Room",
  capacity: 8,
  buildingId: "bench",
  buildingName: "Bench",
  floorId: "bench-1",
  floorLabel: "1",
  floorNumber: 1,
  wheelchairAccessible: false,
  bookable: true,
  tags: [],
  devices: [],
  roomListIds: [],
  timeZone: "UTC",
  timeZoneSource: "default",
  source: "import",
  active: true,
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const wps = await startWebPubSub();
  Object.assign(process.env, {
    TABLES_CONNECTION_STRING: azurite.connectionString,
    TABLE_PREFIX: `bench${Date.now().toString(36)}`,
    SERVICEBUS:
      "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
    WEBPUBSUB_CONNECTION_STRING: wps.connectionString,
    WEBPUBSUB_HUB: "displays",
  });
  resetSettings();
  await resetServices();
  let clock = Date.parse("2030-01-07T08:00:00Z");
  await overrideServices({ now: () => new Date(clock) });
  const host = await startHost({
    functions: functionCatalog.filter((f) => f.kind === "http"),
    port: 0,
    env: {},
    logger: memoryLogger(),
    timers: false,
  });
  const services = getServices();
  const writer = new TableSyncStore(services.tables).writer();
  await writer.add({ entity: "room", room, hash: roomHash(room) }, 0);
  writer.pageComplete(0);
  await writer.flush();
  await services.integrationStore.save({
    name: "bench",
    cloud: "global",
    tenantId: "00000000-0000-0000-0000-000000000001",
    clientId: "00000000-0000-0000-0000-000000000002",
    mode: "delegated-resource-only",
    updatedAt: new Date(clock),
  });

  const view = await registerDisplay({ name: "Bench", target: { kind: "room", roomId: ROOM } });
  const { code } = await issuePairingCode(view.id);
  const { credential } = await pairDisplay({ code, address: "127.0.0.1" });
  const api = (path: string, body: unknown) =>
    fetch(`${host.baseUrl}/api/displays/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  // Per client: the highest snapshot version it has, and when it got it.
  const versions = new Array<number>(CLIENTS).fill(0);
  const arrivedAt = new Array<number>(CLIENTS).fill(0);
  let check: (() => void) | undefined;
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const client = new WebPubSubClient({
        getClientAccessUrl: async () => ((await (await api("negotiate", {})).json()) as { url: string }).url,
      });
      client.on("server-message", (e) => {
        const data = e.message.data as { type?: string; version?: number };
        if (data.type !== "schedule" || data.version === undefined) return;
        if (data.version > (versions[i] ?? 0)) {
          versions[i] = data.version;
          arrivedAt[i] = performance.now();
        }
        check?.();
      });
      await client.start();
      return client;
    }),
  );
  const store = new TableBookingStore(services.tables);

  const samples: number[] = [];
  let failures = 0;
  for (let n = 0; n < CHANGES + 5; n++) {
    clock += 40 * 60_000;
    const started = performance.now();
    const response = await api("actions/book-now", { minutes: 30 });
    if (!response.ok) {
      failures++;
      continue;
    }
    const target = await store.roomVersion(ROOM);
    const all = () => versions.every((v) => v >= target);
    await Promise.race([
      new Promise<void>((resolve) => {
        check = () => {
          if (all()) resolve();
        };
        check();
      }),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ]);
    check = undefined;
    if (!all()) failures++;
    else if (n >= 5) samples.push(Math.max(...arrivedAt) - started);
  }

  samples.sort((a, b) => a - b);
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `propagation to ${CLIENTS} clients over ${samples.length} changes (${availableParallelism()} cores, ${failures} failures): ` +
      `p50 ${fmt(percentile(samples, 50))}, p95 ${fmt(percentile(samples, 95))}, max ${fmt(samples.at(-1) ?? NaN)}`,
  );
  for (const c of clients) c.stop();
  await host.stop();
  await resetServices();
  await wps.stop();
  await azurite.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

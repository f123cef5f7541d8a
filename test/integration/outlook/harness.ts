import { ServiceBusClient, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { inject } from "vitest";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { DEMO_APPS, type RunningM365Simulator } from "../../../dev/m365";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { graphLifecycleHandler } from "../../../functions/graph-lifecycle";
import { graphNotificationsHandler } from "../../../functions/graph-notifications";
import { httpFunction } from "../../../functions/lib/definition";
import type { TableService } from "../../../shared/adapters/tables/table-service";
import { TableSyncStore } from "../../../shared/adapters/tables/table-sync-store";
import { queueSettings } from "../../../shared/app/ports/work-queue";
import { overrideServices, resetServices } from "../../../shared/composition";
import { getServices, type Services } from "../../../shared/composition/services";
import { calendarUseCases, type CalendarUseCases } from "../../../shared/composition/calendar";
import { parseSettings } from "../../../shared/config";
import type { CalendarChangeMessage } from "../../../shared/domain/calendar/calendar-change";
import { deactivate, roomFromPlace, roomHash, type Room } from "../../../shared/domain/rooms/room";
import { startSim } from "../m365/helpers";
import { testClockOffsetMs, testNow } from "../../support/clock";

/** The demo tenant's rooms the tests subscribe to. */
export const ROOMS = ["room-tower-104@fabrikam.example", "room-tower-105@fabrikam.example"] as const;

/**
 * Outlook-to-ONES stack: the M365 simulator, Azurite (own table prefix), the local Service Bus with
 * `calendar-changes`, and the local host serving the two Graph webhooks. The app's services are
 * built from settings as in Azure (application mode, bootstrap integration of the demo app), with a
 * clock the test moves.
 */
export interface OutlookStack {
  readonly sim: RunningM365Simulator;
  readonly bus: RunningServiceBus;
  readonly host: RunningHost;
  readonly services: Services;
  readonly calendar: CalendarUseCases;
  clock: Date;
  /** Settings for another host of the same app (the queue consumer). */
  readonly env: Record<string, string>;
  /** Takes what is on `calendar-changes` (waits up to `waitMs` for the first). */
  receive(max: number, waitMs?: number): Promise<Array<{ id: string; body: CalendarChangeMessage }>>;
  /** Takes what is on another queue (mail, booking-commands). */
  receiveFrom(queue: string, max: number, waitMs?: number): Promise<Array<{ id: string; body: unknown }>>;
  queued(): number;
  post(path: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

export async function startOutlookStack(options: { lifetimeMinutes?: number } = {}): Promise<OutlookStack> {
  const sim = await startSim();
  // The simulator keeps the tests' time (ONES_TEST_NOW, test/support/clock.ts).
  sim.control.advanceClock(testClockOffsetMs());
  const q = queueSettings["calendar-changes"];
  const bus = await startServiceBus({
    queues: (["calendar-changes", "booking-commands", "mail"] as const).map((name) => ({
      name,
      maxDeliveryCount: q.maxDeliveryCount,
      lockDurationMs: 30_000,
    })),
  });
  // The webhooks' use cases exist once the host's address (APP_BASE_URL) is known.
  const late: { useCases?: CalendarUseCases } = {};
  const uc = (): CalendarUseCases => {
    if (late.useCases === undefined) throw new Error("stack not ready");
    return late.useCases;
  };
  const host = await startHost({
    functions: [
      httpFunction({
        name: "graph-notifications",
        route: "graph/notifications",
        methods: ["POST"],
        handler: graphNotificationsHandler((n) => uc().acceptNotifications(n)),
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
  const app = DEMO_APPS.applicationPermission;
  const env: Record<string, string> = {
    TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
    TABLE_PREFIX: `ol${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
    SERVICEBUS: bus.connectionString,
    APP_BASE_URL: host.baseUrl,
    LOGIN_BASE_URL: sim.loginBaseUrl,
    GRAPH_BASE_URL: sim.graphBaseUrl,
    M365_TENANT_ID: sim.tenantId,
    M365_CLIENT_ID: app.clientId,
    M365_CLIENT_SECRET: app.secret,
    M365_INTEGRATION_MODE: "application",
    SUBSCRIPTION_LIFETIME_MINUTES: String(options.lifetimeMinutes ?? 4200),
  };
  await overrideServices({ settings: parseSettings(env) });
  const services = getServices();
  const stack: OutlookStack = {
    sim,
    bus,
    host,
    services,
    env,
    clock: testNow(),
    calendar: undefined as unknown as CalendarUseCases,
    async receive(max, waitMs = 5_000) {
      const got = await stack.receiveFrom("calendar-changes", max, waitMs);
      return got.map((m) => ({ id: m.id, body: m.body as CalendarChangeMessage }));
    },
    async receiveFrom(queue, max, waitMs = 5_000) {
      const client = new ServiceBusClient(bus.connectionString);
      try {
        const receiver = client.createReceiver(queue, { receiveMode: "receiveAndDelete" });
        const out: ServiceBusReceivedMessage[] = [];
        const end = Date.now() + waitMs;
        while (out.length < max && Date.now() < end) {
          const got = await receiver.receiveMessages(max - out.length, { maxWaitTimeInMs: 500 });
          out.push(...got);
          if (got.length === 0 && out.length > 0) break;
        }
        await receiver.close();
        return out.map((m) => ({ id: String(m.messageId), body: m.body as unknown }));
      } finally {
        await client.close();
      }
    },
    queued() {
      const s = bus.stats()["calendar-changes"];
      return (s?.active ?? 0) + (s?.scheduled ?? 0) + (s?.locked ?? 0);
    },
    post(path, body) {
      return fetch(`${host.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(body),
      });
    },
    async stop() {
      await host.stop();
      await resetServices();
      await bus.stop();
      await sim.stop();
    },
  };
  late.useCases = calendarUseCases(services, { now: () => stack.clock });
  (stack as { calendar: CalendarUseCases }).calendar = late.useCases;
  await storeRooms(services, ROOMS);
  return stack;
}

/** Stores the rooms as the rooms sync would (active, from /places). */
export async function storeRooms(
  services: Services,
  emails: readonly string[],
  options: { active?: boolean } = {},
): Promise<Room[]> {
  const store = new TableSyncStore(services.tables);
  const writer = store.writer();
  const rooms = emails.map((email, i) => {
    const room = roomFromPlace(
      { id: `place-${i}`, emailAddress: email, displayName: email.split("@")[0] ?? email },
      { lists: [], buildingZones: new Map(), defaultZone: "UTC" },
    );
    return options.active === false ? deactivate(room, new Date()) : room;
  });
  for (const room of rooms) await writer.add({ entity: "room", room, hash: roomHash(room) }, 0);
  writer.pageComplete(0);
  await writer.flush();
  return rooms;
}

/** Deletes every row of a table (between tests). */
export async function clearTable(tables: TableService, name: string): Promise<void> {
  const client = await tables.table(name);
  for await (const row of client.listEntities()) {
    await client.deleteEntity(String(row.partitionKey), String(row.rowKey));
  }
}

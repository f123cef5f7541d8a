import { randomUUID } from "node:crypto";
import { GraphGateways } from "../adapters/graph/graph-gateways";
import { KeyedSemaphore } from "../adapters/graph/limiter";
import { TableSyncStateStore } from "../adapters/tables/table-sync-state";
import { TableSyncStore } from "../adapters/tables/table-sync-store";
import type { ImportRoomsDependencies } from "../app/sync/import-rooms";
import type { BuildingsDependencies } from "../app/rooms/buildings";
import { noBookingsToFlag } from "../app/sync/no-bookings-to-flag";
import type { RequestSyncDependencies } from "../app/sync/request-sync";
import type { SyncDependencies } from "../app/sync/sync-dependencies";
import { cloudEndpoints } from "../domain/integration/cloud";
import { calendarUseCases } from "./calendar";
import type { Services } from "./services";

/** Sync wiring, built from the memoised services and kept per worker (internal to composition). */
interface SyncWiring {
  readonly store: TableSyncStore;
  readonly state: TableSyncStateStore;
  readonly gateways: Map<string, GraphGateways>;
  /** Graph requests in flight per mailbox (Outlook allows 4), shared by every Graph client of the worker. */
  readonly mailboxes: KeyedSemaphore;
}

const wiring = new WeakMap<Services, SyncWiring>();

function wiringOf(services: Services): SyncWiring {
  let w = wiring.get(services);
  if (w === undefined) {
    w = {
      store: new TableSyncStore(services.tables),
      state: new TableSyncStateStore(services.tables),
      gateways: new Map(),
      mailboxes: new KeyedSemaphore(4),
    };
    wiring.set(services, w);
  }
  return w;
}

/** The Graph gateways for the integration's cloud (or GRAPH_BASE_URL on the local stack). */
export async function gatewaysFor(services: Services): Promise<GraphGateways> {
  const w = wiringOf(services);
  const integration = await services.integrationStore.get();
  const { graphBaseUrl } = cloudEndpoints(
    integration?.cloud ?? services.settings.M365_CLOUD,
    services.cloudOverrides,
  );
  let gateways = w.gateways.get(graphBaseUrl);
  if (gateways === undefined) {
    gateways = new GraphGateways(graphBaseUrl, services.graphTokens, { mailboxes: w.mailboxes });
    w.gateways.set(graphBaseUrl, gateways);
  }
  return gateways;
}

export async function syncDependencies(
  services: Services,
  log?: (message: string) => void,
): Promise<SyncDependencies> {
  const w = wiringOf(services);
  return {
    integration: services.integrationStore,
    gateways: await gatewaysFor(services),
    store: w.store,
    state: w.state,
    roomDeactivation: noBookingsToFlag,
    roomsSynced: calendarUseCases(services).roomsSynced,
    now: services.now,
    newRunId: () => randomUUID(),
    defaultTimeZone: services.settings.ROOMS_DEFAULT_TIME_ZONE,
    ...(log === undefined ? {} : { log }),
  };
}

/** "Run now": records the request and queues it on `sync-run` (see requestSyncRun). */
export function syncRequestDependencies(services: Services): RequestSyncDependencies {
  return {
    integration: services.integrationStore,
    state: wiringOf(services).state,
    workQueue: services.workQueue,
    now: services.now,
    newId: () => randomUUID(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

export async function importRoomsDependencies(
  services: Services,
  log?: (message: string) => void,
): Promise<ImportRoomsDependencies> {
  const w = wiringOf(services);
  return {
    integration: services.integrationStore,
    probe: (await gatewaysFor(services)).roomCalendarProbe(),
    tokens: services.graphTokens,
    store: w.store,
    defaultTimeZone: services.settings.ROOMS_DEFAULT_TIME_ZONE,
    ...(log === undefined ? {} : { log }),
  };
}

/** Buildings and their zones (GET/PUT /api/admin/buildings). */
export function buildingsDependencies(services: Services): BuildingsDependencies {
  return { store: wiringOf(services).store };
}

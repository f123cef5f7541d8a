import { randomUUID } from "node:crypto";
import { DEMO_APPS, type RunningM365Simulator } from "../../../dev/m365";
import { GraphGateways, type GraphClientTuning } from "../../../shared/adapters/graph/graph-gateways";
import { type TableService } from "../../../shared/adapters/tables/table-service";
import { TableSyncStateStore } from "../../../shared/adapters/tables/table-sync-state";
import { TableSyncStore } from "../../../shared/adapters/tables/table-sync-store";
import type { GraphTokenProvider } from "../../../shared/app/ports/graph-token-provider";
import type { IntegrationSettings, IntegrationStore } from "../../../shared/app/ports/integration-store";
import type { SyncDependencies } from "../../../shared/app/sync/sync-dependencies";
import type { Settings } from "../../../shared/config";
import type { IntegrationMode } from "../../../shared/domain/integration/modes";
import { appToken } from "../m365/helpers";
import { userToken } from "../m365/calendar-helpers";
import { tableServiceFromSettings } from "../../../shared/composition/adapters";

export const APP_OF_MODE: Record<IntegrationMode, { clientId: string; secret: string }> = {
  application: DEMO_APPS.applicationPermission,
  delegated: DEMO_APPS.delegatedPermission,
  "delegated-resource-only": DEMO_APPS.delegatedResourceOnly,
  "application-resource-only": DEMO_APPS.applicationResourceOnly,
};

/** The integration store port with fixed settings (the table adapter belongs to the sign-in issue). */
export class FixedIntegrationStore implements IntegrationStore {
  constructor(public settings: IntegrationSettings | undefined) {}
  get(): Promise<IntegrationSettings | undefined> {
    return Promise.resolve(this.settings);
  }
  clientSecret(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  hasClientSecret(): Promise<boolean> {
    return Promise.resolve(true);
  }
  save(settings: IntegrationSettings): Promise<void> {
    this.settings = settings;
    return Promise.resolve();
  }
}

/** Tokens from the simulator with the real MSAL: client credentials, or auth code for users by UPN. */
export class SimulatorTokens implements GraphTokenProvider {
  private app: Promise<string> | undefined;
  private readonly users = new Map<string, Promise<string>>();
  constructor(
    private readonly sim: RunningM365Simulator,
    private readonly mode: IntegrationMode,
    /** ONES user id → UPN of users who "signed in". */
    readonly signedIn: Map<string, string> = new Map(),
  ) {}
  appToken(): Promise<string> {
    const a = APP_OF_MODE[this.mode];
    this.app ??= appToken(this.sim, a.clientId, a.secret);
    return this.app;
  }
  userToken(userId: string): Promise<string> {
    const upn = this.signedIn.get(userId);
    if (upn === undefined) return Promise.reject(new Error(`user ${userId} never signed in`));
    let t = this.users.get(userId);
    if (t === undefined) {
      t = userToken(this.sim, APP_OF_MODE[this.mode], upn, ["Calendars.ReadWrite.Shared"]);
      this.users.set(userId, t);
    }
    return t;
  }
  usersWithToken(limit = 10): Promise<string[]> {
    return Promise.resolve([...this.signedIn.keys()].slice(0, limit));
  }
}

export function testTables(connectionString: string): TableService {
  const prefix = `s${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  return tableServiceFromSettings({
    TABLES_CONNECTION_STRING: connectionString,
    TABLE_PREFIX: prefix,
  } as Settings);
}

export interface Harness {
  readonly deps: SyncDependencies;
  readonly tables: TableService;
  readonly store: TableSyncStore;
  readonly state: TableSyncStateStore;
  readonly integration: FixedIntegrationStore;
  readonly tokens: SimulatorTokens;
  readonly gateways: GraphGateways;
  readonly logs: string[];
  clock: Date;
}

export function harness(
  sim: RunningM365Simulator,
  connectionString: string,
  mode: IntegrationMode,
  options: { tuning?: GraphClientTuning; tables?: TableService } = {},
): Harness {
  const tables = options.tables ?? testTables(connectionString);
  const store = new TableSyncStore(tables);
  const state = new TableSyncStateStore(tables);
  const integration = new FixedIntegrationStore({
    name: "test",
    cloud: "global",
    tenantId: sim.tenantId,
    clientId: APP_OF_MODE[mode].clientId,
    mode,
    updatedAt: new Date(),
  });
  const tokens = new SimulatorTokens(sim, mode);
  const gateways = new GraphGateways(sim.graphBaseUrl, tokens, {
    sleep: async () => undefined,
    ...options.tuning,
  });
  const logs: string[] = [];
  const h: Harness = {
    tables,
    store,
    state,
    integration,
    tokens,
    gateways,
    logs,
    clock: new Date("2026-11-28T09:00:00Z"),
    deps: undefined as unknown as SyncDependencies,
  };
  (h as { deps: SyncDependencies }).deps = {
    integration,
    gateways,
    store,
    state,
    roomDeactivation: { roomsDeactivated: (ids) => Promise.resolve(ids.length * 0) },
    now: () => h.clock,
    newRunId: () => randomUUID(),
    defaultTimeZone: "UTC",
    log: (m) => logs.push(m),
  };
  return h;
}

export async function countRows(
  tables: TableService,
  table: string,
  filter?: (row: Record<string, unknown>) => boolean,
): Promise<number> {
  const client = await tables.table(table);
  let n = 0;
  for await (const row of client.listEntities<Record<string, unknown>>()) if (!filter || filter(row)) n++;
  return n;
}

export async function rows(tables: TableService, table: string): Promise<Array<Record<string, unknown>>> {
  const client = await tables.table(table);
  const out: Array<Record<string, unknown>> = [];
  for await (const row of client.listEntities<Record<string, unknown>>()) out.push(row);
  return out;
}

import { version } from "../../package.json";
import {
  AesGcmSecretBox,
  generateKey,
  HmacSigner,
  SecretBoxCookieSealer,
} from "../adapters/crypto/aes-gcm-secret-box";
import { JoseTokenVerifier } from "../adapters/entra/jose-token-verifier";
import { MsalGraphTokenProvider } from "../adapters/entra/msal-graph-token-provider";
import { MsalRegistrationAccess } from "../adapters/entra/msal-registration-access";
import { MsalSignInClient } from "../adapters/entra/msal-sign-in-client";
import type { ServiceBusWorkQueue } from "../adapters/servicebus/service-bus-work-queue";
import { TableCrossDomainStore } from "../adapters/tables/table-cross-domain-store";
import { TableDeadLetterReplayLog } from "../adapters/tables/table-dead-letter-replay-log";
import { TableDeadLetterStore } from "../adapters/tables/table-dead-letter-store";
import { TableIntegrationStore } from "../adapters/tables/table-integration-store";
import { TableMailSentLog } from "../adapters/tables/table-mail-sent-log";
import { TableMailSettingsStore } from "../adapters/tables/table-mail-settings-store";
import { TableMailWarningLog } from "../adapters/tables/table-mail-warning-log";
import { TablePeopleStore } from "../adapters/tables/table-people";
import { TableRoomStore } from "../adapters/tables/table-rooms";
import type { TableService } from "../adapters/tables/table-service";
import { TableSessionStore, TableSignInRequestStore } from "../adapters/tables/table-session-store";
import { TableUserTokenStore } from "../adapters/tables/table-user-token-store";
import { notifySignInRequired } from "../app/auth/notify-sign-in-required";
import { cachedHealthCheck, checkHealth, type HealthReport } from "../app/check-health";
import type { HousekeepingDependencies } from "../app/housekeeping";
import type { SyncDependencies } from "../app/sync/sync-dependencies";
import type { BrokerDeadLetterQueue } from "../app/ports/broker-dead-letters";
import type { CrossDomainStore } from "../app/ports/cross-domain-store";
import type { DeadLetterReplayLog } from "../app/ports/dead-letter-replay-log";
import type { DeadLetterStore } from "../app/ports/dead-letter-store";
import type { DependencyProbe } from "../app/ports/dependency-probe";
import type { ExpiredRowPurge } from "../app/ports/expired-rows";
import type { GraphTokenProvider } from "../app/ports/graph-token-provider";
import type { IntegrationSecretInfo } from "../app/ports/integration-secret-info";
import type { IntegrationSettings, IntegrationStore } from "../app/ports/integration-store";
import type { MailSender } from "../app/ports/mail-sender";
import type { MailSentLog } from "../app/ports/mail-sent-log";
import type { MailSettingsStore } from "../app/ports/mail-settings-store";
import type { MailWarningLog } from "../app/ports/mail-warning-log";
import type { RealtimePublisher } from "../app/ports/realtime-publisher";
import type { RegistrationAccess } from "../app/ports/registration-access";
import type { CookieSealer, SecretBox, Signer } from "../app/ports/secret-box";
import type { SessionStore, SignInRequestStore } from "../app/ports/session-store";
import type { SignInClient } from "../app/ports/sign-in-client";
import type { RoomStore } from "../app/ports/sync-store";
import type { TokenVerifier } from "../app/ports/token-verifier";
import type { UserTokenStore } from "../app/ports/user-token-store";
import { secretInfoFromIntegration } from "../app/secret-info-from-integration";
import { getSettings, resetSettings, settingWarnings, type Settings } from "../config";
import type { SignInLapse } from "../domain/auth/sign-in-lapse";
import { isAppError } from "../domain/errors";
import type { CloudEndpoints } from "../domain/integration/cloud";
import type { WorkQueue } from "../app/ports/work-queue";
import {
  healthProbes,
  mailSenderFromSettings,
  realtimeFromSettings,
  tableServiceFromSettings,
  workQueueFromSettings,
} from "./adapters";
import { syncDependencies } from "./sync-wiring";

/**
 * The adapters of this worker, made from the app settings on first use and kept for the worker's life,
 * so a cold start pays only for what the invoked function uses. Composition's area modules (auth.ts,
 * sync.ts, ...) build each use case's dependencies from these; handlers never see them. Tests replace
 * members with `overrideServices` and read stored state through `getServices()`.
 */
export interface Services {
  readonly settings: Settings;
  readonly version: string;
  readonly now: () => Date;
  readonly tables: TableService;
  /** Azure Service Bus (or the local broker): the default work queue, its dead letters, its probe. */
  readonly serviceBus: ServiceBusWorkQueue;
  readonly workQueue: WorkQueue;
  readonly deadLetters: DeadLetterStore;
  /** The queues' Service Bus dead-letter sub-queues (admin view and replay). */
  readonly brokerDeadLetters: BrokerDeadLetterQueue;
  readonly deadLetterReplays: DeadLetterReplayLog & ExpiredRowPurge;
  /** The stores the daily `housekeeping` timer purges. */
  readonly expiredRows: Omit<HousekeepingDependencies, "now">;
  readonly probes: readonly DependencyProbe[];
  /** GET /api/health's report, checked at most once per 10 s by this worker. */
  readonly health: () => Promise<HealthReport>;
  // System mail.
  readonly mailSender: MailSender;
  readonly mailSettings: MailSettingsStore;
  readonly mailSentLog: MailSentLog;
  readonly mailWarnings: MailWarningLog;
  readonly integrationSecretInfo: IntegrationSecretInfo;
  // Sign-in, integration settings and Graph tokens.
  /** LOGIN_BASE_URL / GRAPH_BASE_URL overrides (the M365 simulator); empty in production. */
  readonly cloudOverrides: Partial<CloudEndpoints>;
  readonly secretBox: SecretBox;
  readonly sessionCookie: Signer;
  readonly signInCookie: CookieSealer;
  readonly integrationStore: IntegrationStore;
  readonly userTokens: UserTokenStore;
  readonly graphTokens: GraphTokenProvider;
  readonly tokenVerifier: TokenVerifier;
  readonly sessions: SessionStore;
  readonly signInRequests: SignInRequestStore;
  readonly signIn: SignInClient;
  // Integration test and advanced settings.
  readonly registrationAccess: RegistrationAccess;
  readonly crossDomain: CrossDomainStore;
  /** Rooms ONES knows (synced or imported), for the integration test's calendar probe. */
  readonly knownRooms: Pick<RoomStore, "roomEmails" | "rooms" | "anyActiveRoomEmail">;
  /** Schedule snapshots to room and floor displays (Web PubSub). */
  readonly realtime: RealtimePublisher;
  /** The dependencies of a sync run (Graph gateways for the integration's cloud, sync tables). */
  readonly sync: (log?: (message: string) => void) => Promise<SyncDependencies>;
}

/** What a use case's promise resolves to: area modules type their functions with it. */
export type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** Members a test replaces (any of them, settings included); the rest are built as usual. */
export type ServiceOverrides = Partial<Services>;

let services: Services | undefined;
let overrides: ServiceOverrides = {};

/** This worker's services (built on first use from `getSettings()` and any overrides). */
export function getServices(): Services {
  services ??= buildServices(overrides);
  return services;
}

/**
 * The test hook: the next `getServices()` (and so every composition function) uses these members
 * instead of building them, e.g. `overrideServices({ workQueue: testQueue, now: clock.now })`. Each
 * call replaces the previous overrides; `resetServices()` drops them.
 */
export async function overrideServices(replacements: ServiceOverrides): Promise<void> {
  // Set before the old services are closed: a use meanwhile (a request in flight) builds with these.
  overrides = replacements;
  await dropServices();
}

/**
 * Drops the memoised services and any overrides, closing what holds connections, and forgets the parsed
 * settings, so the next use reads the environment afresh (local host restarts, tests).
 */
export async function resetServices(): Promise<void> {
  overrides = {};
  resetSettings();
  await dropServices();
}

async function dropServices(): Promise<void> {
  const current = services;
  services = undefined;
  if (current !== undefined && opened.has(current)) await current.serviceBus.close();
}

/** Services whose Service Bus connection was made (closed on reset). */
const opened = new WeakSet<Services>();

/**
 * A value built from the services once per worker (and again after a reset or override): composition
 * areas keep each use case's dependency bag this way, e.g. `const authDeps = perWorker((s) => ({...}))`.
 */
export function perWorker<T>(build: (services: Services) => T): () => T {
  const built = new WeakMap<Services, T>();
  return () => {
    const s = getServices();
    if (!built.has(s)) built.set(s, build(s));
    return built.get(s) as T;
  };
}

function buildServices(replaced: ServiceOverrides): Services {
  const lazy = memo(replaced);
  // Read on first use, so a test that replaces what needs settings does not need them.
  const settings = (): Settings => lazy("settings", getSettings);
  let key: string | undefined;
  const sessionKey = (): string => (key ??= settings().SESSION_KEY ?? generateKey());
  const built: Services = {
    get settings() {
      return settings();
    },
    get version() {
      return lazy("version", () => version);
    },
    get now() {
      return lazy("now", () => () => new Date());
    },
    get tables() {
      return lazy("tables", () => tableServiceFromSettings(settings()));
    },
    get serviceBus() {
      return lazy("serviceBus", () => {
        opened.add(built);
        return workQueueFromSettings(settings());
      });
    },
    get workQueue() {
      return lazy("workQueue", () => this.serviceBus);
    },
    get deadLetters() {
      return lazy("deadLetters", () => new TableDeadLetterStore(this.tables));
    },
    get brokerDeadLetters() {
      return lazy("brokerDeadLetters", () => this.serviceBus.deadLetterQueue);
    },
    get deadLetterReplays() {
      return lazy("deadLetterReplays", () => new TableDeadLetterReplayLog(this.tables));
    },
    get expiredRows() {
      return lazy("expiredRows", () => ({
        signInRequests: new TableSignInRequestStore(this.tables),
        sessions: new TableSessionStore(this.tables),
        mailSent: new TableMailSentLog(this.tables),
        deadLetterReplays: this.deadLetterReplays,
      }));
    },
    get mailSender() {
      return lazy("mailSender", () => mailSenderFromSettings(settings()));
    },
    get mailSettings() {
      return lazy("mailSettings", () => new TableMailSettingsStore(this.tables));
    },
    get mailSentLog() {
      return lazy("mailSentLog", () => new TableMailSentLog(this.tables));
    },
    get mailWarnings() {
      return lazy("mailWarnings", () => new TableMailWarningLog(this.tables));
    },
    get integrationSecretInfo() {
      return lazy("integrationSecretInfo", () => secretInfoFromIntegration(this.integrationStore));
    },
    get cloudOverrides() {
      return lazy("cloudOverrides", () => ({
        ...(settings().LOGIN_BASE_URL === undefined ? {} : { loginBaseUrl: settings().LOGIN_BASE_URL }),
        ...(settings().GRAPH_BASE_URL === undefined ? {} : { graphBaseUrl: settings().GRAPH_BASE_URL }),
      }));
    },
    get secretBox() {
      // Outside Azure the keys may be unset: a per-worker key then (lost on restart; the schema
      // requires both keys in Azure).
      return lazy("secretBox", () => new AesGcmSecretBox(settings().TOKEN_ENCRYPTION_KEY ?? generateKey()));
    },
    get sessionCookie() {
      return lazy("sessionCookie", () => new HmacSigner(sessionKey(), "session"));
    },
    get signInCookie() {
      return lazy("signInCookie", () => new SecretBoxCookieSealer(this.secretBox, "sign-in"));
    },
    get integrationStore() {
      return lazy(
        "integrationStore",
        () =>
          new TableIntegrationStore(
            this.tables,
            this.secretBox,
            settings().M365_CLIENT_SECRET,
            bootstrapIntegration(settings()),
          ),
      );
    },
    get userTokens() {
      return lazy("userTokens", () => new TableUserTokenStore(this.tables, this.secretBox, this.now));
    },
    get graphTokens() {
      return lazy(
        "graphTokens",
        () =>
          new MsalGraphTokenProvider(this.integrationStore, this.userTokens, this.cloudOverrides, (lapse) =>
            tellSignInRequired(this, lapse),
          ),
      );
    },
    get tokenVerifier() {
      return lazy("tokenVerifier", () => new JoseTokenVerifier(this.cloudOverrides));
    },
    get sessions() {
      return lazy("sessions", () => new TableSessionStore(this.tables));
    },
    get signInRequests() {
      return lazy("signInRequests", () => new TableSignInRequestStore(this.tables));
    },
    get signIn() {
      return lazy("signIn", () => new MsalSignInClient(this.integrationStore, this.cloudOverrides));
    },
    get registrationAccess() {
      return lazy(
        "registrationAccess",
        () => new MsalRegistrationAccess(this.userTokens, this.cloudOverrides),
      );
    },
    get crossDomain() {
      return lazy("crossDomain", () => new TableCrossDomainStore(this.tables));
    },
    get knownRooms() {
      return lazy("knownRooms", () => new TableRoomStore(this.tables));
    },
    get realtime() {
      return lazy("realtime", () => realtimeFromSettings(settings()));
    },
    get probes() {
      return lazy("probes", () => healthProbes(settings(), this));
    },
    get sync() {
      return lazy("sync", () => (log?: (message: string) => void) => syncDependencies(this, log));
    },
    get health() {
      return lazy("health", () =>
        cachedHealthCheck(
          () =>
            checkHealth(this.probes, {
              version: this.version,
              now: this.now,
              warnings: settingWarnings(settings()),
            }),
          this.now,
        ),
      );
    },
  };
  return built;
}

/**
 * A user whose delegated sign-in lapsed gets the `sign-in-required` mail (once per lapse). The flag is
 * already stored; a mail that cannot be queued is logged (user id and error code), and the next token
 * call for the user tries again (the row is marked notified only once the mail was queued).
 */
async function tellSignInRequired(services: Services, lapse: SignInLapse): Promise<void> {
  const log = (message: string): void => console.warn(message);
  const people = new TablePeopleStore(services.tables);
  try {
    await notifySignInRequired(
      { people, workQueue: services.workQueue, userTokens: services.userTokens, log },
      lapse,
    );
  } catch (error) {
    const code = isAppError(error) ? error.code : "unexpected";
    log(`sign-in-required mail for user ${lapse.userId} (lapse ${lapse.lapseId}) not queued: ${code}`);
  }
}

/** Builds each member once; a replaced member is taken as given. */
function memo(replaced: ServiceOverrides) {
  const cache = new Map<string, unknown>();
  return <K extends keyof Services>(key: K, create: () => Services[K]): Services[K] => {
    if (key in replaced) return replaced[key] as Services[K];
    if (!cache.has(key)) cache.set(key, create());
    return cache.get(key) as Services[K];
  };
}

/** The integration from the M365_* app settings, used until an admin saves one (first sign-in). */
function bootstrapIntegration(settings: Settings): IntegrationSettings | undefined {
  const { M365_TENANT_ID: tenantId, M365_CLIENT_ID: clientId, M365_INTEGRATION_MODE: mode } = settings;
  if (tenantId === undefined || clientId === undefined || mode === undefined) return undefined;
  return {
    name: "ONES",
    cloud: settings.M365_CLOUD,
    tenantId,
    clientId,
    mode,
    ...(settings.M365_ADMIN_GROUP_ID === undefined ? {} : { adminGroupId: settings.M365_ADMIN_GROUP_ID }),
    ...(settings.M365_CLIENT_SECRET_EXPIRES_AT === undefined
      ? {}
      : { secretExpiresAt: settings.M365_CLIENT_SECRET_EXPIRES_AT }),
    ...(settings.M365_ADMIN_EMAILS === undefined ? {} : { adminEmails: settings.M365_ADMIN_EMAILS }),
    updatedAt: new Date(0),
  };
}

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
import { httpProbe, tcpProbe } from "../adapters/http/reachability";
import { mailSenderFromSettings, unreadableMailSecret } from "../adapters/mail/from-settings";
import { ServiceBusWorkQueue } from "../adapters/servicebus/service-bus-work-queue";
import { TableCrossDomainStore } from "../adapters/tables/table-cross-domain-store";
import { TableDeadLetterReplayLog } from "../adapters/tables/table-dead-letter-replay-log";
import { TableDeadLetterStore } from "../adapters/tables/table-dead-letter-store";
import { TableIntegrationStore } from "../adapters/tables/table-integration-store";
import { TableMailSentLog } from "../adapters/tables/table-mail-sent-log";
import { TableMailSettingsStore } from "../adapters/tables/table-mail-settings-store";
import { TableMailWarningLog } from "../adapters/tables/table-mail-warning-log";
import { TablePeopleStore } from "../adapters/tables/table-people";
import { TableRoomStore } from "../adapters/tables/table-rooms";
import { TableService } from "../adapters/tables/table-service";
import { TableSessionStore, TableSignInRequestStore } from "../adapters/tables/table-session-store";
import { TableUserTokenStore } from "../adapters/tables/table-user-token-store";
import { WebPubSubRealtimePublisher } from "../adapters/webpubsub/web-pubsub-publisher";
import { notifySignInRequired } from "../app/auth/notify-sign-in-required";
import { cachedHealthCheck, checkHealth, type HealthReport } from "../app/check-health";
import type { HousekeepingDependencies } from "../app/housekeeping";
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
import { getSettings, settingWarnings, unresolvedReferenceProblem, type Settings } from "../config";
import type { SignInLapse } from "../domain/auth/sign-in-lapse";
import { isAppError } from "../domain/errors";
import { cloudEndpoints } from "../domain/integration/cloud";
import type { CloudEndpoints } from "../domain/integration/cloud";

/**
 * Builds the adapters from the app settings and wires the use cases' dependencies. Everything is created
 * lazily on first use and kept for the life of the worker, so a cold start pays only for what it uses.
 */
export interface Services {
  readonly settings: Settings;
  readonly version: string;
  readonly now: () => Date;
  readonly tables: TableService;
  readonly workQueue: ServiceBusWorkQueue;
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
}

let services: Services | undefined;

export function getServices(): Services {
  services ??= buildServices(getSettings());
  return services;
}

/** Drops the memoised services, closing what holds connections (local host restarts, tests). */
export async function resetServices(): Promise<void> {
  const current = services;
  services = undefined;
  if (current !== undefined) await current.workQueue.close();
}

export function buildServices(settings: Settings): Services {
  const lazy = memo();
  const sessionKey = (): string => lazy("sessionKey", () => settings.SESSION_KEY ?? generateKey());
  return {
    settings,
    version,
    now: () => new Date(),
    get tables() {
      return lazy("tables", () => TableService.fromSettings(settings));
    },
    get workQueue() {
      return lazy("workQueue", () => ServiceBusWorkQueue.fromSettings(settings));
    },
    get deadLetters() {
      return lazy("deadLetters", () => new TableDeadLetterStore(this.tables));
    },
    get brokerDeadLetters() {
      return lazy("brokerDeadLetters", () => this.workQueue.deadLetterQueue);
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
      return lazy("mailSender", () => mailSenderFromSettings(settings));
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
        ...(settings.LOGIN_BASE_URL === undefined ? {} : { loginBaseUrl: settings.LOGIN_BASE_URL }),
        ...(settings.GRAPH_BASE_URL === undefined ? {} : { graphBaseUrl: settings.GRAPH_BASE_URL }),
      }));
    },
    get secretBox() {
      // Outside Azure the keys may be unset: a per-worker key then (lost on restart; the schema
      // requires both keys in Azure).
      return lazy("secretBox", () => new AesGcmSecretBox(settings.TOKEN_ENCRYPTION_KEY ?? generateKey()));
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
            settings.M365_CLIENT_SECRET,
            bootstrapIntegration(settings),
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
      return lazy("realtime", () => WebPubSubRealtimePublisher.fromSettings(settings));
    },
    get probes() {
      return lazy("probes", () => buildProbes(settings, this.tables, this.workQueue, this.realtime));
    },
    get health() {
      return lazy("health", () =>
        cachedHealthCheck(
          () =>
            checkHealth(this.probes, {
              version: this.version,
              now: this.now,
              warnings: settingWarnings(settings),
            }),
          this.now,
        ),
      );
    },
  };
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

function buildProbes(
  settings: Settings,
  tables: TableService,
  workQueue: ServiceBusWorkQueue,
  realtime: RealtimePublisher,
): DependencyProbe[] {
  const { graphBaseUrl } = cloudEndpoints(settings.M365_CLOUD, { graphBaseUrl: settings.GRAPH_BASE_URL });
  const mail: DependencyProbe =
    unreadableMailSecret(settings) !== undefined
      ? { name: "mail", required: false, check: undefined, misconfigured: unresolvedReferenceProblem }
      : settings.MAIL_CHANNEL === "sendgrid"
        ? httpProbe("mail", settings.SENDGRID_BASE_URL ?? "https://api.sendgrid.com")
        : tcpProbe(
            "mail",
            settings.MAIL_CHANNEL === "smtp" ? settings.SMTP_HOST : undefined,
            settings.SMTP_PORT,
          );
  return [
    tables.probe(),
    workQueue.probe("mail"),
    httpProbe("graph", `${graphBaseUrl}/v1.0/`),
    realtime.probe(),
    mail,
  ];
}

function memo() {
  const cache = new Map<string, unknown>();
  return <T>(key: string, create: () => T): T => {
    if (!cache.has(key)) cache.set(key, create());
    return cache.get(key) as T;
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

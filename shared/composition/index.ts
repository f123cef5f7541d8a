import { version } from "../../package.json";
import { ServiceBusWorkQueue } from "../adapters/servicebus/service-bus-work-queue";
import { TableDeadLetterStore } from "../adapters/tables/table-dead-letter-store";
import { TableService } from "../adapters/tables/table-service";
import { httpProbe, tcpProbe } from "../adapters/http/reachability";
import type { DeadLetterStore } from "../app/ports/dead-letter-store";
import type { DependencyProbe } from "../app/ports/dependency-probe";
import { mailSenderFromSettings } from "../adapters/mail/from-settings";
import { TableIntegrationSecretInfo } from "../adapters/tables/table-integration-secret-info";
import { TableMailSentLog } from "../adapters/tables/table-mail-sent-log";
import { TableMailSettingsStore } from "../adapters/tables/table-mail-settings-store";
import { TableMailWarningLog } from "../adapters/tables/table-mail-warning-log";
import type { IntegrationSecretInfo } from "../app/ports/integration-secret-info";
import type { MailSender } from "../app/ports/mail-sender";
import type { MailSentLog } from "../app/ports/mail-sent-log";
import type { MailSettingsStore } from "../app/ports/mail-settings-store";
import type { MailWarningLog } from "../app/ports/mail-warning-log";
import { getSettings, type Settings } from "../config";
import { cloudEndpoints } from "../domain/integration/cloud";

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
  readonly probes: readonly DependencyProbe[];
  // System mail (issue 6).
  readonly mailSender: MailSender;
  readonly mailSettings: MailSettingsStore;
  readonly mailSentLog: MailSentLog;
  readonly mailWarnings: MailWarningLog;
  readonly integrationSecretInfo: IntegrationSecretInfo;
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
      return lazy("integrationSecretInfo", () => new TableIntegrationSecretInfo(this.tables));
    },
    get probes() {
      return lazy("probes", () => buildProbes(settings, this.tables, this.workQueue));
    },
  };
}

function buildProbes(
  settings: Settings,
  tables: TableService,
  workQueue: ServiceBusWorkQueue,
): DependencyProbe[] {
  const { graphBaseUrl } = cloudEndpoints(settings.M365_CLOUD, { graphBaseUrl: settings.GRAPH_BASE_URL });
  const webPubSub = settings.WEBPUBSUB_ENDPOINT ?? endpointOf(settings.WEBPUBSUB_CONNECTION_STRING);
  const mail =
    settings.MAIL_CHANNEL === "sendgrid"
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
    httpProbe("webPubSub", webPubSub),
    mail,
  ];
}

function endpointOf(connectionString: string | undefined): string | undefined {
  return connectionString?.match(/Endpoint=([^;]+)/i)?.[1];
}

function memo() {
  const cache = new Map<string, unknown>();
  return <T>(key: string, create: () => T): T => {
    if (!cache.has(key)) cache.set(key, create());
    return cache.get(key) as T;
  };
}

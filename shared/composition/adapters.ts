import { httpProbe, tcpProbe } from "../adapters/http/reachability";
import { NoMailSender } from "../adapters/mail/no-mail-sender";
import { SendGridMailSender } from "../adapters/mail/sendgrid-mail-sender";
import { SmtpMailSender } from "../adapters/mail/smtp-mail-sender";
import { ServiceBusWorkQueue } from "../adapters/servicebus/service-bus-work-queue";
import { TableService, type TableServiceOptions } from "../adapters/tables/table-service";
import { WebPubSubRealtimePublisher } from "../adapters/webpubsub/web-pubsub-publisher";
import {
  endpointOf,
  WebPubSubShards,
  type WebPubSubConnection,
} from "../adapters/webpubsub/web-pubsub-shards";
import type { DependencyProbe } from "../app/ports/dependency-probe";
import type { MailSender } from "../app/ports/mail-sender";
import { settingWarnings, unresolvedReferenceProblem, type Settings } from "../config";
import { cloudEndpoints } from "../domain/integration/cloud";

/**
 * The adapters made from app settings. This is the one place where settings meet adapters: each
 * adapter takes plain connection options, and these functions read them from the settings.
 */

/** The tables of this deployment: by connection string (Azurite), else by endpoint with the identity. */
export function tableServiceFromSettings(settings: Settings, extra: TableServiceOptions = {}): TableService {
  const prefix = settings.TABLE_PREFIX;
  if (settings.TABLES_CONNECTION_STRING !== undefined)
    return TableService.connect({ connectionString: settings.TABLES_CONNECTION_STRING, prefix }, extra);
  if (settings.TABLES_ENDPOINT === undefined)
    throw new Error("TABLES_ENDPOINT or TABLES_CONNECTION_STRING must be set");
  return TableService.connect({ endpoint: settings.TABLES_ENDPOINT, prefix, ...identity(settings) }, extra);
}

/** The work queues: SERVICEBUS (connection string) or SERVICEBUS__fullyQualifiedNamespace (identity). */
export function workQueueFromSettings(settings: Settings): ServiceBusWorkQueue {
  if (settings.SERVICEBUS !== undefined)
    return ServiceBusWorkQueue.connect({ connectionString: settings.SERVICEBUS });
  const namespace = settings.SERVICEBUS__fullyQualifiedNamespace;
  if (namespace === undefined)
    throw new Error("SERVICEBUS or SERVICEBUS__fullyQualifiedNamespace must be set");
  return ServiceBusWorkQueue.connect({ fullyQualifiedNamespace: namespace, ...identity(settings) });
}

/**
 * The Web PubSub instances of the settings, each with the hub: by connection strings (local stack;
 * several as a JSON array), else by endpoints (comma-separated) with the identity; none when unset.
 */
function webPubSubConnections(settings: Settings): WebPubSubConnection[] {
  const hub = settings.WEBPUBSUB_HUB;
  const strings =
    settings.WEBPUBSUB_CONNECTION_STRINGS ??
    (settings.WEBPUBSUB_CONNECTION_STRING === undefined ? undefined : [settings.WEBPUBSUB_CONNECTION_STRING]);
  if (strings !== undefined) return strings.map((connectionString) => ({ connectionString, hub }));
  return (settings.WEBPUBSUB_ENDPOINT ?? []).map((endpoint) => ({ endpoint, hub, ...identity(settings) }));
}

/** Schedule snapshots to displays, each group's to its instance; nothing configured: dropped. */
export function realtimeFromSettings(settings: Settings): WebPubSubRealtimePublisher {
  return WebPubSubRealtimePublisher.connect(webPubSubConnections(settings));
}

/** The instances' service clients (display connections: tokens, closing), or none when not configured. */
export function webPubSubShardsFromSettings(settings: Settings): WebPubSubShards | undefined {
  return WebPubSubShards.connect(webPubSubConnections(settings));
}

/** The endpoints of the Web PubSub instances (the display page may open WebSockets to each). */
export function webPubSubEndpointsFromSettings(settings: Settings): string[] {
  return webPubSubConnections(settings)
    .map(endpointOf)
    .filter((e) => e !== undefined);
}

/**
 * The secret setting that keeps MAIL_CHANNEL's channel from working: it is set (the schema requires the
 * SendGrid key, and SMTP_USER asks for a password) but its Key Vault reference is unresolved, so the
 * schema parsed it as unset (shared/config/sections/mail.ts). Undefined when mail can be sent.
 */
export function unreadableMailSecret(settings: Settings): "SENDGRID_API_KEY" | "SMTP_PASSWORD" | undefined {
  const unresolved = new Set(settingWarnings(settings).map((w) => w.key));
  if (settings.MAIL_CHANNEL === "sendgrid" && unresolved.has("SENDGRID_API_KEY")) return "SENDGRID_API_KEY";
  if (settings.MAIL_CHANNEL === "smtp" && settings.SMTP_USER !== undefined && unresolved.has("SMTP_PASSWORD"))
    return "SMTP_PASSWORD";
  return undefined;
}

/** The mail sender MAIL_CHANNEL chooses. The schema already requires the key or host of the channel. */
export function mailSenderFromSettings(settings: Settings): MailSender {
  const unreadable = unreadableMailSecret(settings);
  if (unreadable !== undefined)
    return new NoMailSender(`${unreadable}: Key Vault reference not resolved; mail waits until it is.`);
  switch (settings.MAIL_CHANNEL) {
    case "sendgrid":
      if (settings.SENDGRID_API_KEY === undefined) throw new Error("SENDGRID_API_KEY must be set");
      return new SendGridMailSender({
        apiKey: settings.SENDGRID_API_KEY,
        ...(settings.SENDGRID_BASE_URL === undefined ? {} : { baseUrl: settings.SENDGRID_BASE_URL }),
      });
    case "smtp":
      if (settings.SMTP_HOST === undefined) throw new Error("SMTP_HOST must be set");
      return new SmtpMailSender({
        host: settings.SMTP_HOST,
        port: settings.SMTP_PORT,
        security: settings.SMTP_SECURITY,
        ...(settings.SMTP_USER === undefined
          ? {}
          : { auth: { user: settings.SMTP_USER, pass: settings.SMTP_PASSWORD ?? "" } }),
      });
    case "none":
      return new NoMailSender();
  }
}

/** The probes of GET /api/health, in report order. */
export function healthProbes(
  settings: Settings,
  adapters: {
    readonly tables: Pick<TableService, "probe">;
    readonly serviceBus: Pick<ServiceBusWorkQueue, "probe">;
    readonly realtime: { probe(): DependencyProbe };
  },
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
    adapters.tables.probe(),
    adapters.serviceBus.probe("mail"),
    httpProbe("graph", `${graphBaseUrl}/v1.0/`),
    adapters.realtime.probe(),
    mail,
  ];
}

function identity(settings: Settings): { managedIdentityClientId?: string } {
  return settings.AZURE_CLIENT_ID === undefined ? {} : { managedIdentityClientId: settings.AZURE_CLIENT_ID };
}

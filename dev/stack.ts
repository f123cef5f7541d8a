import { functionCatalog } from "../functions/catalog";
import type { FunctionDefinition } from "../functions/lib/definition";
import { queueNames, queueSettings } from "../shared/app/ports/work-queue";
import { resetSettings, settingDefaults } from "../shared/config";
import { getServices, resetServices } from "../shared/composition/services";
import { addinIdFor } from "../shared/app/web/serve-addin";
import { addinDevHostPage, addinDevHostSendPage } from "./addin-dev-host";
import { startAzurite } from "./azurite";
import { freePort } from "./lib/ports";
import { LOCAL_CA_DIR } from "./ensure-ca";
import { startHost, type LocalPage, type RunningHost } from "./host";
import type { HostLogger } from "./host/logger";
import { DEMO_APPS, DEMO_DOMAINS, startM365Simulator } from "./m365";
import { generateKey } from "../shared/adapters/crypto/aes-gcm-secret-box";
import { seedSenderAddress, startMailSinkOnStack } from "./mail/stack";
import { startServiceBus } from "./servicebus";
import { renderSignedInPage, renderStartPage, renderTablesPage, type StackLink } from "./start-page";
import { startWebPubSub, type WebPubSubStats } from "./webpubsub";

/** One service of the local stack: what it adds to the app's settings and the start page, and how it stops. */
interface StartedService {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly links: readonly StackLink[];
  /** Runs once the app's settings are in place (e.g. seeding what the service needs). */
  configure?(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalStack {
  readonly host: RunningHost;
  readonly env: Readonly<Record<string, string>>;
  readonly links: readonly StackLink[];
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  readonly port?: number;
  readonly functions?: readonly FunctionDefinition[];
  readonly logger?: HostLogger;
  readonly timers?: boolean;
}

/**
 * Starts everything `npm start` runs, on loopback: Azurite, the local Service Bus, the app on the local
 * host, and the start page. The app's settings are set in this process's environment, as the Functions
 * host sets app settings. Whatever started is stopped again if a later step fails.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started: StartedService[] = [];
  const stopAll = async (): Promise<void> => {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite();
    started.push({
      name: "Azurite (Table Storage)",
      env: { TABLES_CONNECTION_STRING: azurite.connectionString },
      links: [
        {
          label: `Azurite Table service http://127.0.0.1:${azurite.port}: the app's tables`,
          url: "/local/tables",
        },
      ],
      stop: () => azurite.stop(),
    });

    const bus = await startServiceBus({
      queues: queueNames.map((name) => ({
        name,
        maxDeliveryCount: queueSettings[name].maxDeliveryCount,
        lockDurationMs: queueSettings[name].lockDurationSeconds * 1000,
      })),
    });
    started.push({
      name: "Service Bus (local broker)",
      env: { SERVICEBUS: bus.connectionString },
      links: [
        { label: `Service Bus (AMQP) on 127.0.0.1:${bus.port}`, detail: () => queueSummary(bus.stats()) },
      ],
      stop: () => bus.stop(),
    });

    if (process.env.LOCAL_M365 !== "off") started.push(await startSimulator());

    const mail = await startMailSinkOnStack();
    started.push({ name: "Mail sink", env: mail.env, links: mail.links, stop: () => mail.stop() });

    const webPubSub = await startWebPubSub();
    started.push({
      name: "Web PubSub (local service)",
      env: { WEBPUBSUB_CONNECTION_STRING: webPubSub.connectionString },
      links: [
        {
          label: `Web PubSub (local service) on ${webPubSub.endpoint}`,
          detail: () => webPubSubSummary(webPubSub.stats()),
        },
      ],
      stop: () => webPubSub.stop(),
    });

    // The app's own origin follows its port (sign-in redirect URI, links in mail), unless set.
    const port = options.port === 0 ? await freePort() : (options.port ?? 7071);
    process.env.APP_BASE_URL ??= `http://127.0.0.1:${port}`;
    const env = Object.assign({}, ...started.map((s) => s.env)) as Record<string, string>;
    for (const [key, value] of Object.entries(settingDefaults())) process.env[key] ??= value;
    Object.assign(process.env, env);
    // Sign-in keys: generated per run unless set (sessions and stored tokens last for this run).
    process.env.SESSION_KEY ??= generateKey();
    process.env.TOKEN_ENCRYPTION_KEY ??= generateKey();
    resetSettings();
    await resetServices();
    for (const service of started) await service.configure?.();
    // Until an admin sets one, system mail on the local stack comes from the demo tenant's domain.
    await seedSenderAddress(getServices().mailSettings, `ones@${DEMO_DOMAINS[0]}`);

    const links = [
      ...started.flatMap((s) => s.links),
      {
        label: "Sign in to ONES as a demo-tenant person (then shows who you are)",
        url: "/api/auth/login?returnTo=/signed-in",
      },
    ];
    const pages: LocalPage[] = [
      { path: "/", render: () => renderStartPage(links) },
      { path: "/signed-in", render: ({ cookie }) => renderSignedInPage(`http://127.0.0.1:${port}`, cookie) },
      {
        path: "/local/tables",
        render: () =>
          renderTablesPage(env.TABLES_CONNECTION_STRING ?? "", getServices().settings.TABLE_PREFIX),
      },
      addinDevHostPage(),
      // The stand-in's Send, with the integration's own app token (application modes).
      addinDevHostSendPage(async () => {
        const services = getServices();
        return {
          graphBaseUrl:
            env.GRAPH_BASE_URL ?? services.settings.GRAPH_BASE_URL ?? "https://graph.microsoft.com",
          token: await services.graphTokens.appToken(),
          addinId: addinIdFor(services.settings.APP_BASE_URL),
        };
      }),
    ];
    const host = await startHost({
      functions: options.functions ?? functionCatalog,
      port,
      pages,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      timers: options.timers ?? true,
    });
    return {
      host,
      env,
      links,
      stop: async () => {
        await host.stop();
        await resetServices();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The M365 simulator with the demo tenant; the app reaches it through the Graph and login base URLs. */
async function startSimulator(): Promise<StartedService> {
  // Sign-in pages also on loopback http, which browsers accept without trusting the simulator's CA.
  const m365 = await startM365Simulator({ caDir: LOCAL_CA_DIR, seed: "demo", browserSignInPort: 0 });
  const admin = demoAdmin(m365.control.store);
  return {
    name: "M365 simulator (demo tenant)",
    env: { GRAPH_BASE_URL: m365.graphBaseUrl, LOGIN_BASE_URL: m365.loginBaseUrl },
    links: [
      {
        label: "M365 simulator: Microsoft Graph v1.0",
        url: `${m365.graphBaseUrl}/v1.0/places/microsoft.graph.room`,
      },
      {
        label: "M365 simulator: Entra ID sign-in (demo tenant)",
        url: `${m365.loginBaseUrl}/${m365.tenantId}/v2.0/.well-known/openid-configuration`,
      },
      ...(admin === undefined
        ? []
        : [
            {
              label: `Sign in as the demo admin, ${admin.name} <${admin.upn}> (then shows who you are)`,
              url: `/api/auth/login?returnTo=${encodeURIComponent("/signed-in")}&loginHint=${encodeURIComponent(admin.upn)}`,
              detail: () =>
                `Members of the demo group "${admin.groupName}" are ONES admins (the integration's admin group). Try GET/PUT /api/admin/integration, POST /api/admin/integration/test, /api/admin/settings/cross-domain and /api/admin/settings/mail.`,
            },
          ]),
    ],
    configure: () => configureDemoIntegration(m365, admin?.groupId),
    stop: () => m365.stop(),
  };
}

/** The integration in application mode against the demo tenant, so a person can sign in from the start page. */
async function configureDemoIntegration(
  m365: {
    tenantId: string;
    control: { addRedirectUri(clientId: string, uri: string): void };
  },
  adminGroupId: string | undefined,
): Promise<void> {
  const services = getServices();
  const app = DEMO_APPS.applicationPermission;
  // Every mode's demo registration takes this app's callback, so an admin can switch modes and sign in.
  const callback = `${new URL(services.settings.APP_BASE_URL).origin}/api/auth/callback`;
  for (const demo of Object.values(DEMO_APPS)) m365.control.addRedirectUri(demo.clientId, callback);
  await services.integrationStore.save(
    {
      name: "Demo tenant",
      cloud: "global",
      tenantId: m365.tenantId,
      clientId: app.clientId,
      mode: "application",
      ...(adminGroupId === undefined ? {} : { adminGroupId }),
      updatedAt: new Date(),
    },
    app.secret,
  );
}

/** The demo group whose members are ONES admins on the local stack. */
const DEMO_ADMIN_GROUP = "Facilities";

/**
 * The demo admin: the first member of the Facilities group, which becomes the integration's admin
 * group (its members also have write access to every room calendar, which the delegated modes need).
 */
function demoAdmin(store: {
  groups: ReadonlyMap<string, { id: string; data: { displayName: string }; members: Set<string> }>;
  findUser(id: string): { data: { displayName: string; userPrincipalName: string } } | undefined;
}): { groupId: string; groupName: string; name: string; upn: string } | undefined {
  const group = [...store.groups.values()].find((g) => g.data.displayName === DEMO_ADMIN_GROUP);
  if (group === undefined) return undefined;
  for (const member of group.members) {
    const user = store.findUser(member);
    if (user !== undefined) {
      return {
        groupId: group.id,
        groupName: group.data.displayName,
        name: user.data.displayName,
        upn: user.data.userPrincipalName,
      };
    }
  }
  return undefined;
}

function queueSummary(
  stats: Record<string, { active: number; locked: number; scheduled: number; deadLettered: number }>,
): string {
  return Object.entries(stats)
    .map(
      ([queue, c]) =>
        `${queue}: ${c.active} waiting, ${c.locked} in progress, ${c.scheduled} scheduled, ${c.deadLettered} dead-lettered`,
    )
    .join(" · ");
}

function webPubSubSummary(stats: WebPubSubStats): string {
  const groups = Object.entries(stats.groups)
    .map(([group, count]) => `${group} (${count})`)
    .join(", ");
  return `${stats.connections} display connection(s)${groups === "" ? "" : ` in ${groups}`} · ${stats.messages} message(s) sent`;
}

import type { KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { startAzurite } from "../../dev/azurite";
import { LOCAL_CA_DIR } from "../../dev/ensure-ca";
import { freePort } from "../../dev/lib/ports";
import { DEMO_APPS, demoTenantSeed, startM365Simulator, type RunningM365Simulator } from "../../dev/m365";
import { startMailSink, type RunningMailSink } from "../../dev/mail";
import { seedSenderAddress } from "../../dev/mail/stack";
import { startServiceBus, type RunningServiceBus } from "../../dev/servicebus";
import { startWebPubSub } from "../../dev/webpubsub";
import { generateKey } from "../../shared/adapters/crypto/aes-gcm-secret-box";
import { queueNames, queueSettings } from "../../shared/app/ports/work-queue";
import { resetServices } from "../../shared/composition";
import { getServices } from "../../shared/composition/services";
import { issuePairingCode, registerDisplay } from "../../shared/composition/displays";
import { runSync } from "../../shared/composition/sync";
import { resetSettings, settingDefaults } from "../../shared/config";
import { childHost, type ChildHost } from "./child-host";

/** A person with a Bearer token for the ONES API (staff) or an Outlook user of the simulator. */
export interface SoakPerson {
  readonly upn: string;
  readonly token: string;
}

/** A room display paired through the device API, with its device credential as the Bearer token. */
export interface SoakDisplay {
  readonly room: string;
  readonly device: SoakPerson;
}

/**
 * The soak's local stack, loopback only: Azurite (or the one given), the M365 simulator with the
 * demo tenant plus the soak's rooms, the local Service Bus with every queue, the mail sink, the
 * local Web PubSub, and the app on a child-process host (application mode). Rooms come in two kinds:
 * `shared` rooms are booked from Outlook and from ONES and Exchange declines conflicts there;
 * `onesOnly` rooms allow conflicts in Exchange, so ONES's own overlap check is all that keeps them
 * single-booked (they are booked through ONES only). Every room has a display, paired as a real one
 * is (a pairing code, exchanged on the device route for the display's credential).
 */
export interface SoakStack {
  readonly sim: RunningM365Simulator;
  readonly bus: RunningServiceBus;
  readonly mail: RunningMailSink;
  readonly host: ChildHost;
  readonly rooms: { readonly shared: readonly string[]; readonly onesOnly: readonly string[] };
  readonly staff: readonly SoakPerson[];
  readonly outlookUsers: readonly string[];
  readonly displays: readonly SoakDisplay[];
  call(who: SoakPerson, method: string, path: string, body?: unknown): Promise<Response>;
  graphToken(): Promise<string>;
  stop(): Promise<void>;
}

export interface SoakStackOptions {
  readonly sharedRooms: number;
  readonly onesOnlyRooms: number;
  readonly staff: number;
  readonly outlookUsers: number;
  /** An Azurite already running (the test run's); else the soak starts its own. */
  readonly tablesConnectionString?: string;
  /** Test seam for the soak's own test: the child host's booking store ignores overlaps. */
  readonly broken?: "overlap";
  /** How long a mail's send claim holds in the host (default: the product's five minutes). */
  readonly mailClaimLeaseMs?: number;
}

const DOMAIN = "contoso.example";

export async function startSoakStack(options: SoakStackOptions): Promise<SoakStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const previousEnv = { ...process.env };
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    for (const key of Object.keys(process.env)) if (!(key in previousEnv)) delete process.env[key];
    Object.assign(process.env, previousEnv);
    resetSettings();
  };
  try {
    let tables = options.tablesConnectionString;
    if (tables === undefined) {
      const azurite = await startAzurite();
      stops.push(() => azurite.stop());
      tables = azurite.connectionString;
    }
    const shared = Array.from({ length: options.sharedRooms }, (_, i) => `soak-shared-${i}@${DOMAIN}`);
    const onesOnly = Array.from({ length: options.onesOnlyRooms }, (_, i) => `soak-ones-${i}@${DOMAIN}`);
    const sim = await startM365Simulator({ caDir: LOCAL_CA_DIR, seed: soakSeed([...shared, ...onesOnly]) });
    stops.push(() => sim.stop());
    for (const room of onesOnly) sim.control.calendar.setCalendarProcessing(room, { allowConflicts: true });
    // Failed deliveries (the host down) are retried within seconds, not Graph's minutes.
    sim.control.notifications.configure({ retryBaseMs: 500, retryMaxMs: 4_000 });

    // Short locks: a message a killed host held comes back within seconds (renewed while worked on).
    const bus = await startServiceBus({
      queues: queueNames.map((name) => ({
        name,
        maxDeliveryCount: queueSettings[name].maxDeliveryCount,
        lockDurationMs: 5_000,
      })),
    });
    stops.push(() => bus.stop());
    const mail = await startMailSink();
    stops.push(() => mail.stop());
    const webPubSub = await startWebPubSub();
    stops.push(() => webPubSub.stop());

    const port = await freePort();
    const env: Record<string, string> = {
      ...settingDefaults(),
      TABLES_CONNECTION_STRING: tables,
      TABLE_PREFIX: `soak${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`,
      SERVICEBUS: bus.connectionString,
      APP_BASE_URL: `http://127.0.0.1:${port}`,
      LOGIN_BASE_URL: sim.loginBaseUrl,
      GRAPH_BASE_URL: sim.graphBaseUrl,
      SESSION_KEY: generateKey(),
      TOKEN_ENCRYPTION_KEY: generateKey(),
      WEBPUBSUB_CONNECTION_STRING: webPubSub.connectionString,
      MAIL_CHANNEL: "smtp",
      SMTP_HOST: mail.smtpHost,
      SMTP_PORT: String(mail.smtpPort),
      SMTP_SECURITY: "none",
    };
    Object.assign(process.env, env);
    resetSettings();
    await resetServices();
    stops.push(() => resetServices());
    const app = DEMO_APPS.applicationPermission;
    const services = getServices();
    await services.integrationStore.save(
      {
        name: "Soak",
        cloud: "global",
        tenantId: sim.tenantId,
        clientId: app.clientId,
        mode: "application",
        updatedAt: new Date(),
      },
      app.secret,
    );
    await seedSenderAddress(services.mailSettings, `ones@${DOMAIN}`);

    const host = childHost(port, () => ({
      ...env,
      ...(options.broken === undefined ? {} : { SOAK_BROKEN: options.broken }),
      ...(options.mailClaimLeaseMs === undefined
        ? {}
        : { SOAK_MAIL_CLAIM_LEASE_MS: String(options.mailClaimLeaseMs) }),
    }));
    stops.push(() => host.stop());
    await host.start();
    // Rooms into ONES; the sync's hook subscribes to each room (validated by the child host).
    const synced = await runSync("rooms", "timer");
    if (synced.outcome !== "succeeded") throw new Error(`room sync ${synced.outcome}`);

    const keys = (sim.control as unknown as { sim: { keys: { privateKey: KeyObject; kid: string } } }).sim
      .keys;
    const now = Math.floor(Date.now() / 1000);
    const staff = await Promise.all(
      Array.from({ length: options.staff }, async (_, i) => {
        const upn = `soak.staff${i}@${DOMAIN}`;
        const rec = sim.control.addUser({ userPrincipalName: upn, displayName: `Soak Staff ${i}` });
        const token = await new SignJWT({
          ver: "2.0",
          iat: now,
          nbf: now,
          exp: now + 24 * 3600,
          aud: app.clientId,
          iss: `${sim.loginBaseUrl}/${sim.tenantId}/v2.0`,
          tid: sim.tenantId,
          oid: rec.id,
          name: `Soak Staff ${i}`,
          preferred_username: upn,
          scp: "access_as_user",
          roles: [],
        })
          .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: keys.kid })
          .sign(keys.privateKey);
        return { upn, token };
      }),
    );
    const displays: SoakDisplay[] = [];
    for (const room of [...shared, ...onesOnly]) {
      const view = await registerDisplay({ name: `Panel ${room}`, target: { kind: "room", roomId: room } });
      const { code } = await issuePairingCode(view.id);
      const res = await fetch(`${host.baseUrl}/api/displays/pair`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code }),
      });
      if (res.status !== 200) throw new Error(`pairing the display of ${room} answered ${res.status}`);
      const { credential } = (await res.json()) as { credential: string };
      displays.push({ room, device: { upn: room, token: credential } });
    }
    const outlookUsers = Array.from({ length: options.outlookUsers }, (_, i) => {
      const upn = `soak.outlook${i}@${DOMAIN}`;
      sim.control.addUser({ userPrincipalName: upn, displayName: `Soak Outlook ${i}` });
      return upn;
    });

    return {
      sim,
      bus,
      mail,
      host,
      rooms: { shared, onesOnly },
      staff,
      outlookUsers,
      displays,
      call(who, method, path, body) {
        return fetch(`${host.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${who.token}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(60_000),
        });
      },
      // The integration's own app token (application permissions), as the app reads Graph; acquired
      // anew each time, as the token faults may have expired the cached one.
      graphToken: () => getServices().graphTokens.appToken({ fresh: true }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The demo tenant's people and apps with the soak's room mailboxes in place of the demo rooms (default
 * calendar processing, no meetings): every event in a room comes from the soak.
 */
function soakSeed(rooms: readonly string[]) {
  const seed = demoTenantSeed({ users: 20 });
  const template = (seed.rooms ?? [])[0];
  if (template === undefined) throw new Error("the demo tenant has no rooms");
  const { id: _id, mailboxId: _mailbox, ...shape } = template;
  const demoRooms = new Set((seed.rooms ?? []).map((r) => r.emailAddress));
  seed.rooms = rooms.map((emailAddress, i) => ({ ...shape, emailAddress, displayName: `Soak room ${i}` }));
  seed.calendarPermissions = [];
  seed.groups = (seed.groups ?? []).map((g) =>
    g.members?.some((m) => demoRooms.has(m)) === true ? { ...g, members: [...rooms] } : g,
  );
  seed.extensions = { ...seed.extensions, calendars: { demoWeek: false } };
  return seed;
}

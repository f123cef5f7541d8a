import type { Server } from "node:https";
import type { Server as PlainServer } from "node:http";
import { ensureCa, ensureServerCertificate, MICROSOFT_HOST_NAMES, type LocalCa } from "./tls/ca";
import { Clock } from "./store/clock";
import { TenantStore } from "./store/tenant-store";
import { createSigningKeys } from "./entra/keys";
import { RequestLog } from "./control/request-log";
import { FaultInjector } from "./faults/fault-injector";
import { MailboxThrottle } from "./faults/mailbox-throttle";
import { AccessTokenVerifier } from "./auth/access-token";
import { defaultEntraSettings, timerWait, type SimulatorServices } from "./services";
import { Router } from "./http/router";
import { createDispatcher, type Dispatch } from "./http/dispatch";
import { registerBatchRoute } from "./http/batch";
import { createBrowserSignInServer, createHttpsServer } from "./http/https-server";
import { SimulatorControl } from "./control/simulator-control";
import { registerControlRoutes } from "./control/routes";
import { SIMULATOR_MODULES, type SimulatorModule } from "./modules";
import type { TenantSeed } from "./seed/tenant-seed";
import type { DemoTenantOptions } from "./seed/demo-tenant";

export { ensureCa, MICROSOFT_HOST_NAMES } from "./tls/ca";
export type { LocalCa } from "./tls/ca";
export type { TenantSeed, SeedApp, SeedUser, SeedGroup, SeedRoom, SeedRoomList } from "./seed/tenant-seed";
export {
  demoTenantSeed,
  DEMO_APPS,
  DEMO_DOMAINS,
  DEMO_TENANT_ID,
  DEMO_REDIRECT_URIS,
} from "./seed/demo-tenant";
export { SimulatorControl } from "./control/simulator-control";
export type { RequestLogEntry, LogFilter } from "./control/request-log";
export type { FaultSettings } from "./faults/fault-injector";
export type { SimulatorModule } from "./modules";

export interface M365SimulatorOptions {
  /** Port on 127.0.0.1; 0 or undefined = a free port. Use 443 with `hostNames` for hosts-file setups. */
  port?: number;
  /** Directory of the CA (created by `ensureCa` if missing) and the issued server certificates. */
  caDir: string;
  /** Initial tenant: a seed, "demo" (default), or demo options (e.g. `{ demo: { users: 50000 } }`). */
  seed?: TenantSeed | "demo" | { demo: DemoTenantOptions };
  /** Also cover graph.microsoft.com, login.microsoftonline.com and the 21Vianet hosts in the certificate. */
  hostNames?: boolean;
  /** Extra simulator areas in addition to the built-in ones. */
  modules?: SimulatorModule[];
  /**
   * Also serve the browser-facing sign-in pages (authorize, sign-out) over plain http on loopback, on
   * this port (0 = a free one), and advertise them in the OpenID metadata: an ordinary browser accepts
   * http://127.0.0.1 without trusting the simulator's CA. Off unless set.
   */
  browserSignInPort?: number;
}

export interface RunningM365Simulator {
  /** e.g. https://127.0.0.1:PORT — Graph is under `${graphBaseUrl}/v1.0`. */
  graphBaseUrl: string;
  /** e.g. https://127.0.0.1:PORT — authority = `${loginBaseUrl}/${tenantId}`. */
  loginBaseUrl: string;
  /** The seeded tenant's id (changes if the control API seeds another tenant: read `control.tenantId`). */
  tenantId: string;
  /** `http://127.0.0.1:PORT` of the browser sign-in listener, when `browserSignInPort` was given. */
  browserSignInBaseUrl?: string;
  /** The CA certificate path for NODE_EXTRA_CA_CERTS. */
  caPath: string;
  port: number;
  control: SimulatorControl;
  /** Handles a request without the network (used by $batch; handy for unit tests). */
  dispatch: Dispatch;
  stop(): Promise<void>;
}

/** Starts the Microsoft Graph + Entra ID simulator over HTTPS on 127.0.0.1. */
export async function startM365Simulator(options: M365SimulatorOptions): Promise<RunningM365Simulator> {
  const ca: LocalCa = ensureCa(options.caDir);
  const tls = ensureServerCertificate(ca, options.caDir, options.hostNames ? MICROSOFT_HOST_NAMES : []);
  const clock = new Clock();
  const keys = await createSigningKeys();
  const store = new TenantStore(clock, "00000000-0000-0000-0000-000000000000");
  const sim: SimulatorServices = {
    store,
    clock,
    keys,
    log: new RequestLog(),
    faults: new FaultInjector(),
    throttle: new MailboxThrottle(),
    tokens: new AccessTokenVerifier(keys.publicKey, clock),
    entra: defaultEntraSettings(),
    wait: timerWait,
  };
  const modules = [...SIMULATOR_MODULES, ...(options.modules ?? [])];
  const router = new Router();
  for (const m of modules) m.register(router);
  // The batch route and the control API need the dispatcher, which needs the finished router.
  const holder: { dispatch?: Dispatch } = {};
  const getDispatch = (): Dispatch => {
    if (!holder.dispatch) throw new Error("dispatcher not ready");
    return holder.dispatch;
  };
  registerBatchRoute(router, getDispatch);
  const hooks = modules.flatMap((m) => (m.onSeed ? [m.onSeed] : []));
  const control = new SimulatorControl(sim, hooks, getDispatch);
  registerControlRoutes(router, () => control);
  const dispatch = createDispatcher(sim, router);
  holder.dispatch = dispatch;
  control.seed(options.seed ?? "demo");

  const server: Server = createHttpsServer(tls, dispatch);
  const port = await listen(server, options.port ?? 0);
  let browserServer: PlainServer | undefined;
  if (options.browserSignInPort !== undefined) {
    browserServer = createBrowserSignInServer(dispatch);
    const httpPort = await listen(browserServer, options.browserSignInPort).catch(async (error: unknown) => {
      await close(server);
      throw error;
    });
    sim.browserSignInOrigin = `http://127.0.0.1:${httpPort}`;
  }
  const base = port === 443 ? "https://127.0.0.1" : `https://127.0.0.1:${port}`;
  return {
    graphBaseUrl: base,
    loginBaseUrl: base,
    get tenantId() {
      return control.tenantId;
    },
    caPath: ca.certPath,
    port,
    control,
    dispatch,
    stop: async () => {
      if (browserServer !== undefined) await close(browserServer);
      await close(server);
    },
    ...(sim.browserSignInOrigin === undefined ? {} : { browserSignInBaseUrl: sim.browserSignInOrigin }),
  };
}

async function listen(server: Server | PlainServer, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}

function close(server: Server | PlainServer): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

import { afterAll, beforeAll, beforeEach } from "vitest";
import { ConfidentialClientApplication, type Configuration } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import { DEMO_APPS, startM365Simulator, type RunningM365Simulator, type TenantSeed } from "../../../dev/m365";

export const CA_DIR = process.env.M365_SIM_CA_DIR ?? ".local/m365";

export async function startSim(seed?: TenantSeed | "demo"): Promise<RunningM365Simulator> {
  return startM365Simulator({ caDir: CA_DIR, seed: seed ?? "demo" });
}

/** MSAL configured as production would be, but for the authority's base URL. */
export function msalFor(
  sim: RunningM365Simulator,
  clientId: string,
  clientSecret: string,
  tenant = sim.tenantId,
): ConfidentialClientApplication {
  const host = new URL(sim.loginBaseUrl).host;
  const config: Configuration = {
    auth: { clientId, clientSecret, authority: `${sim.loginBaseUrl}/${tenant}`, knownAuthorities: [host] },
    system: { loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false } },
  };
  return new ConfidentialClientApplication(config);
}

/** The Graph JS client with the default middleware chain; only baseUrl (and customHosts) differ. */
export function graphFor(sim: RunningM365Simulator, getToken: () => Promise<string>): Client {
  return Client.initWithMiddleware({
    baseUrl: sim.graphBaseUrl,
    customHosts: new Set([new URL(sim.graphBaseUrl).hostname]),
    authProvider: { getAccessToken: getToken },
  });
}

export async function appToken(sim: RunningM365Simulator, clientId: string, secret: string): Promise<string> {
  const cca = msalFor(sim, clientId, secret);
  const r = await cca.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
  if (!r) throw new Error("no token");
  return r.accessToken;
}

/** An app-only token of the demo tenant's application-permission app (mode 1). */
export async function demoAppToken(sim: RunningM365Simulator): Promise<string> {
  const app = DEMO_APPS.applicationPermission;
  return appToken(sim, app.clientId, app.secret);
}

/** Raw fetch against the simulator (keeps status and headers visible). */
export async function graphFetch(
  sim: RunningM365Simulator,
  token: string | undefined,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return fetch(`${sim.graphBaseUrl}/v1.0${path}`, { ...init, headers });
}

/**
 * Registers the usual hooks for a test file that needs one demo simulator: started before all tests
 * (with an app token of the demo registration), stopped after them, and, with `reseed`, seeded afresh
 * with its faults and request log cleared before each test. `use` receives what was started.
 */
export function useDemoSimulator(
  use: (sim: RunningM365Simulator, token: string) => void,
  options: { reseed?: boolean } = {},
): void {
  let started: RunningM365Simulator | undefined;
  beforeAll(async () => {
    started = await startSim();
    use(started, await demoAppToken(started));
  });
  if (options.reseed === true) {
    beforeEach(() => {
      started?.control.seed("demo");
      started?.control.faults.reset();
      started?.control.log.clear();
    });
  }
  afterAll(async () => {
    await started?.stop();
  });
}

import type { KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { inject } from "vitest";
import type { RunningHost } from "../../../dev/host";
import { LOCAL_CA_DIR } from "../../../dev/ensure-ca";
import { startM365Simulator, type RunningM365Simulator } from "../../../dev/m365";
import { generateKey } from "../../../shared/adapters/crypto/aes-gcm-secret-box";
import { getServices, resetServices } from "../../../shared/composition";
import { resetSettings } from "../../../shared/config";
import { startHttpHost } from "../../support/http-host";
import type { IntegrationMode } from "../../../shared/domain/integration/modes";

/**
 * The app on the local host with the real MSAL, Azurite and the M365 simulator; one table prefix per
 * test file. `process.env` is the app's settings, as the Functions host sets them.
 */
export interface AuthStack {
  readonly sim: RunningM365Simulator;
  readonly host: RunningHost;
  readonly prefix: string;
  configure(
    mode: IntegrationMode,
    app: { clientId: string; secret: string },
    extra?: { adminGroupId?: string },
  ): Promise<void>;
  stop(): Promise<void>;
}

export async function startAuthStack(): Promise<AuthStack> {
  const sim = await startM365Simulator({ caDir: LOCAL_CA_DIR, seed: "demo" });
  const host = await startHttpHost();
  const prefix = `auth${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  Object.assign(process.env, {
    TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
    TABLE_PREFIX: prefix,
    SERVICEBUS:
      "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
    APP_BASE_URL: host.baseUrl,
    LOGIN_BASE_URL: sim.loginBaseUrl,
    GRAPH_BASE_URL: sim.graphBaseUrl,
    SESSION_KEY: generateKey(),
    TOKEN_ENCRYPTION_KEY: generateKey(),
  });
  resetSettings();
  await resetServices();
  return {
    sim,
    host,
    prefix,
    async configure(mode, app, extra = {}) {
      sim.control.addRedirectUri(app.clientId, `${host.baseUrl}/api/auth/callback`);
      await getServices().integrationStore.save(
        {
          name: "Test",
          cloud: "global",
          tenantId: sim.tenantId,
          clientId: app.clientId,
          mode,
          updatedAt: new Date(),
          ...extra,
        },
        app.secret,
      );
    },
    async stop() {
      await host.stop();
      await resetServices();
      await sim.stop();
    },
  };
}

/** A minimal cookie jar for fetch: keeps what Set-Cookie sets, drops what it expires. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair?.indexOf("=") ?? -1;
      if (pair === undefined || i < 0) continue;
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export async function get(
  url: string,
  jar?: CookieJar,
  headers: Record<string, string> = {},
): Promise<Response> {
  const response = await fetch(url, {
    redirect: "manual",
    headers: { ...headers, ...(jar && jar.cookies.size > 0 ? { cookie: jar.header() } : {}) },
  });
  jar?.store(response);
  return response;
}

/** Starts a sign-in; returns the Entra authorize URL the app redirected to. */
export async function startLogin(stack: AuthStack, jar: CookieJar, returnTo = "/app"): Promise<URL> {
  const response = await get(
    `${stack.host.baseUrl}/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    jar,
  );
  if (response.status !== 302) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  return new URL(response.headers.get("location") ?? "");
}

/** Signs `user` in at the simulator for an authorize URL and returns the callback URL with the code. */
export async function authorize(stack: AuthStack, authorizeUrl: URL, user: string): Promise<string> {
  return stack.sim.control.signIn(authorizeUrl.toString(), user);
}

/** The full sign-in; returns the callback response. */
export async function signIn(
  stack: AuthStack,
  jar: CookieJar,
  user: string,
  returnTo = "/app",
): Promise<Response> {
  const url = await startLogin(stack, jar, returnTo);
  return get(await authorize(stack, url, user), jar);
}

/**
 * The simulator issues Graph tokens only; access tokens for the ONES API itself (audience = client id)
 * are signed here with the simulator's tenant key, as Entra would sign them.
 */
export async function apiAccessToken(
  stack: AuthStack,
  claims: Record<string, unknown>,
  options: { key?: KeyObject; kid?: string; lifetimeSeconds?: number } = {},
): Promise<string> {
  const keys = (stack.sim.control as unknown as { sim: { keys: { privateKey: KeyObject; kid: string } } }).sim
    .keys;
  const now = Math.floor(Date.now() / 1000);
  const lifetime = options.lifetimeSeconds ?? 3600;
  return new SignJWT({ ver: "2.0", iat: now, nbf: now, exp: now + lifetime, ...claims })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? keys.kid })
    .sign(options.key ?? keys.privateKey);
}

/**
 * Runs the directory sync through the admin API ("run now" goes through the `sync-run` queue, so the
 * stack needs `startSyncQueue()`) and waits until that run has finished.
 */
export async function runDirectorySync(stack: AuthStack, adminJar: CookieJar): Promise<void> {
  const status = async (): Promise<{ state: string; finishedAt?: string } | undefined> => {
    const response = await get(`${stack.host.baseUrl}/api/admin/sync`, adminJar);
    const report = (await response.json()) as {
      kinds: { kind: string; state: string; finishedAt?: string }[];
    };
    return report.kinds.find((k) => k.kind === "directory");
  };
  const before = (await status())?.finishedAt;
  const response = await fetch(`${stack.host.baseUrl}/api/admin/sync/directory`, {
    method: "POST",
    headers: { cookie: adminJar.header(), origin: stack.host.baseUrl },
  });
  if (response.status !== 200 && response.status !== 202) throw new Error(`sync answered ${response.status}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await status();
    if (now?.state === "succeeded" && now.finishedAt !== before) return;
    if (now?.state === "failed" || Date.now() > deadline)
      throw new Error(`directory sync ended ${now?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

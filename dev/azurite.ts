import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { freePort } from "./lib/ports";

/** The well-known Azurite development account (public, documented by Microsoft; not a secret). */
const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface RunningAzurite {
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * Starts Azurite's Table service on a free loopback port (or `port`), as a single child process that
 * `stop()` ends (spawned with plain node, so no npx wrapper is left behind). Data lives in memory, or
 * in the folder `location` when given, so that an Azurite started again there finds it (outage tests).
 */
export async function startAzurite(
  options: { port?: number; timeoutMs?: number; location?: string } = {},
): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
  const require = createRequire(__filename);
  const main = path.join(path.dirname(require.resolve("azurite/package.json")), "dist/src/table/main.js");
  const child = spawn(
    process.execPath,
    [
      main,
      "--tableHost",
      "127.0.0.1",
      "--tablePort",
      String(port),
      ...(options.location === undefined ? ["--inMemoryPersistence"] : ["--location", options.location]),
      "--skipApiVersionCheck",
      "--disableTelemetry",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await waitForLine(child, `successfully started on 127.0.0.1:${port}`, options.timeoutMs ?? 60_000);
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `TableEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`;
  return { port, connectionString, stop: () => stopChild(child) };
}

function waitForLine(child: ChildProcess, needle: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite did not start within ${timeoutMs} ms: ${seen.slice(-500)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (seen.includes(needle)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${String(code)} before it was ready: ${seen.slice(-500)}`));
    });
  });
}

export function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";

/** The app's host as a child process on a fixed port: started, killed with SIGKILL, started again. */
export interface ChildHost {
  readonly baseUrl: string;
  readonly running: boolean;
  /** SIGKILLs so far. */
  readonly kills: number;
  start(): Promise<void>;
  /** SIGKILL: no shutdown, in-flight work is cut wherever it is. */
  kill(): Promise<void>;
  /** SIGTERM and wait (end of the run). */
  stop(): Promise<void>;
}

const ENTRY = path.join(__dirname, "host-child.ts");
/** A host not ready within this is killed and the start fails (a run never waits on it for ever). */
const READY_WITHIN_MS = 120_000;

export function childHost(port: number, env: () => Record<string, string>): ChildHost {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let kills = 0;
  const host: ChildHost = {
    baseUrl: `http://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    get kills() {
      return kills;
    },
    async start() {
      if (child !== undefined) return;
      // Node itself with tsx's loader (not the tsx launcher, whose child a SIGKILL would orphan).
      const proc = spawn(process.execPath, ["--import", "tsx", ENTRY], {
        env: { ...process.env, ...env(), SOAK_HOST_PORT: String(port) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      let output = "";
      exited = new Promise((resolve) => proc.once("exit", () => resolve()));
      let late: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        late = setTimeout(() => {
          proc.kill("SIGKILL");
          reject(
            new Error(
              `the soak host was not ready within ${READY_WITHIN_MS / 1000} s: ${output.slice(-2000)}`,
            ),
          );
        }, READY_WITHIN_MS);
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes("soak-host ready")) resolve();
        };
        proc.stdout?.on("data", onData);
        proc.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
        proc.once("exit", (code, signal) =>
          reject(
            new Error(`the soak host ended before it was ready (${signal ?? code}): ${output.slice(-2000)}`),
          ),
        );
      })
        .catch((error: unknown) => {
          child = undefined;
          throw error;
        })
        .finally(() => clearTimeout(late));
      // Past readiness the host's output goes to SOAK_HOST_LOG (a file) if set, else nowhere.
      const file = process.env.SOAK_HOST_LOG;
      for (const stream of [proc.stdout, proc.stderr]) {
        stream?.removeAllListeners("data");
        if (file === undefined) stream?.resume();
        else stream?.pipe(createWriteStream(file, { flags: "a" }));
      }
    },
    async kill() {
      const proc = child;
      if (proc === undefined) return;
      child = undefined;
      kills++;
      proc.kill("SIGKILL");
      await exited;
    },
    async stop() {
      const proc = child;
      if (proc === undefined) return;
      child = undefined;
      const forced = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      proc.kill("SIGTERM");
      await exited;
      clearTimeout(forced);
    },
  };
  return host;
}

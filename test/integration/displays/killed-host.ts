import { spawn } from "node:child_process";
import path from "node:path";
import type { FaultInjector } from "../../../dev/m365/faults/fault-injector";
import { GraphError } from "../../../dev/m365/http/errors";

const ENTRY = path.join(__dirname, "display-host-child.ts");

/** The app on a host of its own in a child process (display-host-child.ts), to be killed mid-work. */
export interface DisplayHost {
  /** The actions host's address (empty for an auto-release run). */
  readonly baseUrl: string;
  /** SIGKILL: no shutdown, in-flight work is cut wherever it is. */
  kill(): Promise<void>;
  /** What the host wrote so far. */
  output(): string;
}

const hosts = new Set<DisplayHost>();

/** Starts a child host whose clock stands at `now`; resolves once it is ready. */
export async function startDisplayHost(run: "actions" | "auto-release", now: number): Promise<DisplayHost> {
  // Node itself with tsx's loader (not the tsx launcher, whose child a SIGKILL would orphan).
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    env: { ...process.env, DISPLAY_HOST_RUN: run, DISPLAY_HOST_NOW: new Date(now).toISOString() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /display-host ready ?(\S*)/.exec(output);
      if (ready !== null) resolve(ready[1] ?? "");
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code, signal) =>
      reject(new Error(`display host ended (${signal ?? code}): ${output}`)),
    );
  });
  const host: DisplayHost = {
    baseUrl,
    output: () => output,
    async kill() {
      hosts.delete(host);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
  hosts.add(host);
  return host;
}

/** Kills every child host still running (for afterEach/afterAll). */
export async function killDisplayHosts(): Promise<void> {
  for (const host of [...hosts]) await host.kill();
}

const decoded = (graphPath: string): string => {
  try {
    return decodeURIComponent(graphPath).toLowerCase();
  } catch {
    return graphPath.toLowerCase();
  }
};

export interface HeldRequest {
  /** Resolves when the held request reached the simulator. */
  readonly arrived: Promise<void>;
  /** Lets the held request through: the simulator carries it out (its caller may be gone by then). */
  release(): void;
  /** Answers the held request with an error instead: Graph never carried it out. */
  drop(): void;
}

/**
 * Holds the first Graph request (any method) whose decoded path, after /v1.0, starts with `prefix`; later ones
 * pass. The simulator's own holds stop every matching request; this one lets a second attempt through
 * while the first is stopped. The hold ends when the request is released or dropped.
 */
export function holdFirst(faults: FaultInjector, prefix: string): HeldRequest {
  const passHolds = faults.passHolds.bind(faults);
  let signal = (): void => {};
  const arrived = new Promise<void>((resolve) => (signal = resolve));
  let open = (_dropped: boolean): void => {};
  const gate = new Promise<boolean>((resolve) => (open = resolve));
  let armed = true;
  faults.passHolds = async (graphPath: string): Promise<void> => {
    if (armed && decoded(graphPath).startsWith(prefix.toLowerCase())) {
      armed = false;
      signal();
      // Answered as a failure Graph never carried out (its caller is gone by then anyway).
      if (await gate) throw new GraphError(503, "ServiceUnavailable", "Dropped by the test.");
    }
    return passHolds(graphPath);
  };
  const end = (dropped: boolean): void => {
    Reflect.deleteProperty(faults, "passHolds");
    open(dropped);
  };
  return { arrived, release: () => end(false), drop: () => end(true) };
}

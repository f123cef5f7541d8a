import { readFileSync } from "node:fs";
import path from "node:path";
import type { Server } from "node:http";
import type { FunctionDefinition } from "../../functions/lib/definition";
import { createHttpServer, type LocalPage } from "./http-server";
import { consoleLogger, type HostLogger } from "./logger";
import { startReceivers, type RunningReceivers } from "./service-bus";
import { startTimers, type RunningTimers } from "./timers";

export type { LocalPage } from "./http-server";

export interface HostOptions {
  readonly functions: readonly FunctionDefinition[];
  /** 0 picks a free port. */
  readonly port?: number;
  /** App settings (timer `%NAME%` schedules, the Service Bus connection). Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: HostLogger;
  readonly pages?: readonly LocalPage[];
  /** Time allowed for a whole HTTP request body before 408 (default 30 s; tests shorten it). */
  readonly bodyTimeoutMs?: number;
  /** Run timers on their schedules (off in most tests, which trigger them directly). */
  readonly timers?: boolean;
}

export interface RunningHost {
  readonly port: number;
  readonly baseUrl: string;
  readonly timers: RunningTimers;
  stop(): Promise<void>;
}

/**
 * The local stand-in for the Functions host: the same function definitions that `functions/index.ts`
 * registers for Azure, served on 127.0.0.1 with HTTP, NCRONTAB timers and Service Bus receivers.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? consoleLogger();
  const hostJson = readHostJson();
  const of = <K extends FunctionDefinition["kind"]>(kind: K) =>
    options.functions.filter((f): f is Extract<FunctionDefinition, { kind: K }> => f.kind === kind);

  const timers = startTimers(of("timer"), { env, logger, enabled: options.timers ?? true });
  let receivers: RunningReceivers | undefined;
  const queueFunctions = of("serviceBusQueue");
  if (queueFunctions.length > 0) {
    const connectionNames = new Set(queueFunctions.map((f) => f.connection));
    const [connection] = [...connectionNames];
    const connectionString = connection === undefined ? undefined : env[connection];
    if (connectionNames.size !== 1 || connectionString === undefined) {
      timers.stop();
      throw new Error(`Service Bus triggers need the connection setting ${[...connectionNames].join(", ")}`);
    }
    receivers = startReceivers(queueFunctions, {
      connectionString,
      logger,
      maxConcurrentCalls: hostJson.extensions?.serviceBus?.maxConcurrentCalls ?? 16,
    });
  }

  const server = createHttpServer(of("http"), {
    logger,
    pages: options.pages ?? [],
    ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
  });
  const port = await listen(server, options.port ?? 7071);
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    timers,
    stop: async () => {
      timers.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await receivers?.stop();
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

interface HostJson {
  extensions?: { serviceBus?: { maxConcurrentCalls?: number } };
}

function readHostJson(): HostJson {
  return JSON.parse(readFileSync(path.join(__dirname, "../../host.json"), "utf8")) as HostJson;
}

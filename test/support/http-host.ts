import { startHost, type RunningHost } from "../../dev/host";
import { memoryLogger } from "../../dev/host/logger";
import { functionCatalog } from "../../functions/catalog";

/** The app's HTTP functions on the local host, on a free port, without timers or queue receivers. */
export function startHttpHost(): Promise<RunningHost> {
  return startHost({
    functions: functionCatalog.filter((f) => f.kind === "http"),
    port: 0,
    env: {},
    logger: memoryLogger(),
    timers: false,
  });
}

import { getServices } from "../shared/composition";
import { ConfigError } from "../shared/config";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/**
 * GET /api/health: each dependency reachable or not, the app version and configuration warnings (keys
 * only); 503 when a required dependency is down. Anonymous, so each worker checks at most once per 10 s.
 */
export const health = httpFunction({
  name: "health",
  route: "health",
  methods: ["GET"],
  handler: handleHttp(async (_request, context) => {
    let services;
    try {
      services = getServices();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // The setting names help the admin who deployed; values are never shown.
      context.error(error.message);
      return json(503, { status: "unhealthy", configuration: { status: "invalid", keys: error.keys } });
    }
    const report = await services.health();
    return json(report.status === "unhealthy" ? 503 : 200, report);
  }),
});

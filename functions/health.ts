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
      const { keys, unresolvedReferences } = error;
      // Each unresolved Key Vault reference with the secret it names, so the admin knows what to create.
      const configuration =
        unresolvedReferences.length === 0
          ? { status: "invalid", keys }
          : { status: "invalid", keys, unresolvedReferences };
      return json(503, { status: "unhealthy", configuration });
    }
    const report = await services.health();
    return json(report.status === "unhealthy" ? 503 : 200, report);
  }),
});

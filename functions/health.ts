import { checkHealth } from "../shared/composition/health";
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
  api: {
    summary: "Each dependency reachable or not, the version and configuration warnings",
    auth: "none",
    responses: {
      200: "Healthy or degraded",
      503: "Unhealthy: a required dependency is down or the configuration is invalid",
    },
  },
  handler: handleHttp(async (_request, context) => {
    const answer = await checkHealth();
    if (answer.kind === "invalid-settings") {
      // The setting names help the admin who deployed; values are never shown.
      context.error(answer.message);
      const { keys, unresolvedReferences } = answer;
      // Each unresolved Key Vault reference with the secret it names, so the admin knows what to create.
      const configuration =
        unresolvedReferences.length === 0
          ? { status: "invalid", keys }
          : { status: "invalid", keys, unresolvedReferences };
      return json(503, { status: "unhealthy", configuration });
    }
    return json(answer.report.status === "unhealthy" ? 503 : 200, answer.report);
  }),
});

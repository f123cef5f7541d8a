import { checkHealth } from "../shared/app/check-health";
import { getServices } from "../shared/composition";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/health: each dependency reachable or not, and the app version; 503 when a required one is down. */
export const health = httpFunction({
  name: "health",
  route: "health",
  methods: ["GET"],
  handler: handleHttp(async () => {
    const services = getServices();
    const report = await checkHealth(services.probes, { version: services.version, now: services.now });
    return json(report.status === "unhealthy" ? 503 : 200, report);
  }),
});

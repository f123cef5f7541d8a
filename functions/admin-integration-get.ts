import { getIntegrationSettings } from "../shared/composition/integration";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/admin/integration: the app registration, mode and cloud; whether a secret is set, never the secret. */
export const adminIntegrationGet = httpFunction({
  name: "admin-integration-get",
  route: "admin/integration",
  methods: ["GET"],
  api: {
    summary: "The app registration, mode and cloud (never the secret)",
    auth: "admin",
    responses: { 200: "The integration settings" },
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    return json(200, await getIntegrationSettings());
  }),
});

import { integrationCapabilities } from "../shared/composition/integration";
import { authenticate } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/integration/capabilities: what the configured mode allows, and why not. */
export const integrationCapabilitiesFunction = httpFunction({
  name: "integration-capabilities",
  route: "integration/capabilities",
  methods: ["GET"],
  api: {
    summary: "What the configured mode allows, and why not",
    auth: "user",
    responses: { 200: "The capabilities" },
  },
  handler: handleHttp(async (request, context) => {
    await authenticate(request, context);
    return json(200, await integrationCapabilities());
  }),
});

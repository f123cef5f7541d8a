import { z } from "zod";
import { testIntegration } from "../shared/composition/integration";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";
import { integrationFields as f } from "./lib/integration-input";

/** Everything optional: what is left out is taken from the saved settings (no body: test those). */
const body = z.object({
  name: f.name.optional(),
  cloud: f.cloud.optional(),
  tenantId: f.tenantId.optional(),
  clientId: f.clientId.optional(),
  clientSecret: f.clientSecret.optional(),
  secretExpiresAt: f.secretExpiresAt.optional(),
  mode: f.mode.optional(),
  adminGroupId: f.adminGroupId.optional(),
  adminEmails: f.adminEmails.optional(),
});

/**
 * POST /api/admin/integration/test: per permission the mode needs, granted or missing (token and probe
 * calls), the ONES functions that leaves unavailable, and the redirect URI to register. Saves nothing.
 */
export const adminIntegrationTest = httpFunction({
  name: "admin-integration-test",
  route: "admin/integration/test",
  methods: ["POST"],
  api: {
    summary: "Test an app registration's permissions for a mode (saves nothing)",
    auth: "admin",
    body,
    bodyOptional: true,
    responses: { 200: "The test report" },
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const hasBody = request.headers.get("content-type") !== null;
    const input = hasBody ? await readJson(request, body) : {};
    const report = await testIntegration(admin, input);
    context.log(`integration test by ${admin.userId}: mode ${report.mode}, ok ${String(report.ok)}`);
    return json(200, report);
  }),
});

import { z } from "zod";
import { saveIntegrationSettings } from "../shared/composition/integration";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";
import { integrationFields as f } from "./lib/integration-input";

const body = z.strictObject({
  name: f.name,
  cloud: f.cloud,
  tenantId: f.tenantId,
  clientId: f.clientId,
  clientSecret: f.clientSecret.optional(),
  secretExpiresAt: f.secretExpiresAt.optional(),
  mode: f.mode,
  // Missing: the saved value stays; null clears it.
  adminGroupId: f.adminGroupId.nullable().optional(),
  adminEmails: f.adminEmails.nullable().optional(),
});

/**
 * PUT /api/admin/integration: saves the app registration, mode and cloud after testing them; a mode the
 * registration cannot support is refused (400 with the test report). The secret, the admin group and
 * the admin addresses are optional on update (kept when missing; the group and addresses clear with
 * null); a save that would leave the calling admin without admin rights is refused.
 */
export const adminIntegrationPut = httpFunction({
  name: "admin-integration-put",
  route: "admin/integration",
  methods: ["PUT"],
  api: {
    summary: "Save the app registration, mode and cloud after testing them",
    auth: "admin",
    body,
    responses: { 200: "The saved settings and the test report" },
    errors: ["precondition-failed"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const input = await readJson(request, body);
    const saved = await saveIntegrationSettings(admin, input);
    context.log(`admin ${admin.userId} saved the integration (mode ${saved.settings.mode ?? "?"})`);
    return json(200, saved);
  }),
});

import { z } from "zod";
import { saveMailSettings } from "../shared/composition/settings";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";

const body = z.strictObject({ senderAddress: z.string().trim().max(254).pipe(z.email()) });

/** PUT /api/admin/settings/mail: the sender address, which must be in a verified domain of the tenant. */
export const adminSettingsMailPut = httpFunction({
  name: "admin-settings-mail-put",
  route: "admin/settings/mail",
  methods: ["PUT"],
  api: {
    summary: "Set the sender address of system mail",
    auth: "admin",
    body,
    responses: { 200: "The saved settings and the domain check" },
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const input = await readJson(request, body);
    const saved = await saveMailSettings(admin, input);
    context.log(`admin ${admin.userId} set the sender address (domains from ${saved.domainCheck.source})`);
    return json(200, saved);
  }),
});

import { getCrossDomainSettings } from "../shared/composition/settings";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/admin/settings/cross-domain: the representative mailbox of each e-mail domain. */
export const adminSettingsCrossDomainGet = httpFunction({
  name: "admin-settings-cross-domain-get",
  route: "admin/settings/cross-domain",
  methods: ["GET"],
  api: {
    summary: "The representative mailbox of each e-mail domain",
    auth: "admin",
    responses: { 200: "The representatives" },
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    return json(200, await getCrossDomainSettings());
  }),
});

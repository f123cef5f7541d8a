import { getMailSettings } from "../shared/composition/settings";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/admin/settings/mail: the sender address of system mail. */
export const adminSettingsMailGet = httpFunction({
  name: "admin-settings-mail-get",
  route: "admin/settings/mail",
  methods: ["GET"],
  api: {
    summary: "The sender address of system mail",
    auth: "admin",
    responses: { 200: "The mail settings" },
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    return json(200, await getMailSettings());
  }),
});

import { listDisplays } from "../shared/composition/displays";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/admin/displays: every registered display with its target, last heartbeat and page version. */
export const adminDisplaysList = httpFunction({
  name: "admin-displays-list",
  route: "admin/displays",
  methods: ["GET"],
  api: { summary: "Every registered display", auth: "admin", responses: { 200: "The displays" } },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    return json(200, { displays: await listDisplays() });
  }),
});

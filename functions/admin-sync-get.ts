import { getSyncStatus } from "../shared/composition/sync";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/admin/sync: per sync kind, state, progress, last success and error, counts, mode gaps. */
export const adminSyncGet = httpFunction({
  name: "admin-sync-get",
  route: "admin/sync",
  methods: ["GET"],
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    return json(200, await getSyncStatus());
  }),
});

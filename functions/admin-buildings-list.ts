import { listBuildings } from "../shared/composition/rooms";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/admin/buildings: the buildings of the rooms ONES knows, with their configured time zone. */
export const adminBuildingsList = httpFunction({
  name: "admin-buildings-list",
  route: "admin/buildings",
  methods: ["GET"],
  api: {
    summary: "The buildings of the known rooms, with their time zones",
    auth: "admin",
    responses: { 200: "The buildings" },
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    return json(200, await listBuildings());
  }),
});

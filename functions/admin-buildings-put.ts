import { z } from "zod";
import { setBuildingTimeZone } from "../shared/composition/rooms";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput, readJson } from "./lib/http";

const params = z.object({ id: z.string().trim().min(1).max(100) });
const body = z.object({ timeZone: z.string().trim().min(1).max(64) }).strict();

/**
 * PUT /api/admin/buildings/{id} `{ timeZone }` (IANA or Windows name): the building's time zone, for
 * its rooms without working hours; applied to those rooms at once.
 */
export const adminBuildingsPut = httpFunction({
  name: "admin-buildings-put",
  route: "admin/buildings/{id}",
  methods: ["PUT"],
  api: {
    summary: "Set a building's time zone",
    auth: "admin",
    params,
    body,
    responses: { 200: "The zone set, and how many rooms took it" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { id } = parseInput(params, request.params);
    const { timeZone } = await readJson(request, body);
    const result = await setBuildingTimeZone(id, timeZone);
    context.log(`admin ${admin.userId} set building ${id}'s zone; ${result.roomsUpdated} rooms updated`);
    return json(200, result);
  }),
});

import { listPolicies } from "../shared/composition/bookings";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/admin/policies: the shared policies with their rooms. */
export const adminPoliciesList = httpFunction({
  name: "admin-policies-list",
  route: "admin/policies",
  methods: ["GET"],
  api: { summary: "The shared policies with their rooms", auth: "admin", responses: { 200: "The policies" } },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    return json(200, { items: await listPolicies() });
  }),
});

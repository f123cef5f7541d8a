import { z } from "zod";
import { removeDisplay } from "../shared/composition/displays";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, parseInput } from "./lib/http";

const params = z.object({ id: z.string().trim().min(1).max(64) });

/** DELETE /api/admin/displays/{id}: revokes the device credential at once and closes its live connection. */
export const adminDisplaysDelete = httpFunction({
  name: "admin-displays-delete",
  route: "admin/displays/{id}",
  methods: ["DELETE"],
  api: {
    summary: "Remove a display and revoke its credential",
    auth: "admin",
    params,
    responses: { 204: { description: "Removed", type: "" } },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { id } = parseInput(params, request.params);
    await removeDisplay(id);
    context.log(`admin ${admin.userId} removed display ${id}`);
    return { status: 204 };
  }),
});

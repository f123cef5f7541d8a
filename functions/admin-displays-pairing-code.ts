import { z } from "zod";
import { issuePairingCode } from "../shared/composition/displays";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const params = z.object({ id: z.string().trim().min(1).max(64) });

/** POST /api/admin/displays/{id}/pairing-code: a one-time code the device enters, valid 10 minutes. */
export const adminDisplaysPairingCode = httpFunction({
  name: "admin-displays-pairing-code",
  route: "admin/displays/{id}/pairing-code",
  methods: ["POST"],
  api: {
    summary: "A one-time pairing code for a display (10 minutes)",
    auth: "admin",
    params,
    responses: { 201: "The code and its expiry" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { id } = parseInput(params, request.params);
    const code = await issuePairingCode(id);
    context.log(`admin ${admin.userId} issued a pairing code for display ${id}`);
    return json(201, code);
  }),
});

import { z } from "zod";
import { saveSharedPolicy } from "../shared/composition/bookings";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput, readJson } from "./lib/http";
import { sharedPolicyBody } from "./lib/policy-input";

const params = z.object({ id: z.uuid() });

/** PUT /api/admin/policies/{id} `{ rules, roomIds }`: replaces a shared policy and its rooms. */
export const adminPoliciesPut = httpFunction({
  name: "admin-policies-put",
  route: "admin/policies/{id}",
  methods: ["PUT"],
  api: {
    summary: "Replace a shared policy and its rooms",
    auth: "admin",
    params,
    body: sharedPolicyBody,
    responses: { 200: "The policy" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { id } = parseInput(params, request.params);
    const { rules, roomIds } = await readJson(request, sharedPolicyBody);
    const policy = await saveSharedPolicy(id, rules, roomIds);
    context.log(`admin ${admin.userId} updated policy ${id}`);
    return json(200, policy);
  }),
});

import { saveSharedPolicy } from "../shared/composition/bookings";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";
import { sharedPolicyBody } from "./lib/policy-input";

/** POST /api/admin/policies `{ rules, roomIds }`: a new shared policy; 201 with it. */
export const adminPoliciesCreate = httpFunction({
  name: "admin-policies-create",
  route: "admin/policies",
  methods: ["POST"],
  api: {
    summary: "Create a shared policy",
    auth: "admin",
    body: sharedPolicyBody,
    responses: { 201: "The policy" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { rules, roomIds } = await readJson(request, sharedPolicyBody);
    const policy = await saveSharedPolicy(undefined, rules, roomIds);
    context.log(`admin ${admin.userId} created policy ${policy.id}`);
    return json(201, policy, { location: `/api/admin/policies/${policy.id}` });
  }),
});

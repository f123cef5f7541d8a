import { putRoomPolicy } from "../shared/composition/bookings";
import { policyRulesSchema } from "../shared/domain/bookings/policy";
import { requireAdmin } from "./lib/auth";
import { roomIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput, readJson } from "./lib/http";

/** PUT /api/admin/rooms/{id}/policy: the room's own rules (they win over a shared policy). */
export const adminRoomPolicyPut = httpFunction({
  name: "admin-room-policy-put",
  route: "admin/rooms/{id}/policy",
  methods: ["PUT"],
  api: {
    summary: "Set a room's own policy rules",
    auth: "admin",
    params: roomIdParams,
    body: policyRulesSchema,
    responses: { 200: "The policy" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { id } = parseInput(roomIdParams, request.params);
    const rules = await readJson(request, policyRulesSchema);
    const policy = await putRoomPolicy(id, rules);
    context.log(`admin ${admin.userId} set the policy of room ${id}`);
    return json(200, policy);
  }),
});

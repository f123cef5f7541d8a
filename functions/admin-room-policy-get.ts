import { getRoomPolicy } from "../shared/composition/bookings";
import { requireAdmin } from "./lib/auth";
import { roomIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

/** GET /api/admin/rooms/{id}/policy: the room's own policy (`own: true`), else the one governing it. */
export const adminRoomPolicyGet = httpFunction({
  name: "admin-room-policy-get",
  route: "admin/rooms/{id}/policy",
  methods: ["GET"],
  api: {
    summary: "The policy governing a room",
    auth: "admin",
    params: roomIdParams,
    responses: { 200: "The policy" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    const { id } = parseInput(roomIdParams, request.params);
    return json(200, await getRoomPolicy(id));
  }),
});

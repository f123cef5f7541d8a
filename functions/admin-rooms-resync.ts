import { z } from "zod";
import { resyncRoom } from "../shared/composition/calendar";
import { requireAdmin } from "./lib/auth";
import { httpFunction, type HttpFunctionDefinition } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const params = z.object({ id: z.string().trim().min(3).max(320) });

/** POST /api/admin/rooms/{id}/resync: a full read of the room's calendar, queued (202). */
export function adminRoomsResyncHandler(
  resync: typeof resyncRoom = resyncRoom,
): HttpFunctionDefinition["handler"] {
  return handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { id } = parseInput(params, request.params);
    const result = await resync(id);
    context.log(`admin ${admin.userId} asked for a resync of room ${result.roomId}`);
    return json(202, result, { location: "/api/admin/sync" });
  });
}

export const adminRoomsResync = httpFunction({
  name: "admin-rooms-resync",
  route: "admin/rooms/{id}/resync",
  methods: ["POST"],
  api: {
    summary: "Queue a full read of a room's calendar",
    auth: "admin",
    params,
    responses: { 202: "Queued" },
    errors: ["not-found", "not-available-in-mode"],
  },
  handler: adminRoomsResyncHandler(),
});

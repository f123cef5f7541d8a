import { z } from "zod";
import { getRoomSyncStatus } from "../shared/composition/calendar";
import { getSyncStatus } from "../shared/composition/sync";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const query = z.object({
  roomsLimit: z.coerce.number().int().min(1).max(200).default(50),
  roomsContinuation: z.string().min(1).max(2000).optional(),
});

/**
 * GET /api/admin/sync: per sync kind, state, progress, last success and error, counts, mode gaps; and
 * `rooms`, a page of per-room calendar sync records (`?roomsLimit=&roomsContinuation=`) with the
 * notifications the intake rejected.
 */
export const adminSyncGet = httpFunction({
  name: "admin-sync-get",
  route: "admin/sync",
  methods: ["GET"],
  api: {
    summary: "Sync state per kind and a page of per-room calendar sync records",
    auth: "admin",
    query,
    responses: { 200: "The sync status" },
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    const page = parseInput(query, Object.fromEntries(request.query.entries()));
    const [status, rooms] = await Promise.all([
      getSyncStatus(),
      getRoomSyncStatus({
        limit: page.roomsLimit,
        ...(page.roomsContinuation === undefined ? {} : { continuation: page.roomsContinuation }),
      }),
    ]);
    return json(200, { ...status, rooms });
  }),
});

import { z } from "zod";
import { replayDeadLetter } from "../shared/composition/dead-letters";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const params = z.object({ id: z.string().min(1).max(2048) });

/**
 * POST /api/admin/dead-letters/{id}/replay: puts the work back on its queue as attempt 1 with its own
 * message id, then removes the dead letter. 404 for an unknown id, 409 when it was replayed already.
 */
export const adminDeadLettersReplay = httpFunction({
  name: "admin-dead-letters-replay",
  route: "admin/dead-letters/{id}/replay",
  methods: ["POST"],
  api: {
    summary: "Put a dead letter's work back on its queue",
    auth: "admin",
    params,
    responses: { 200: "Replayed" },
    errors: ["not-found", "conflict"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { id } = parseInput(params, request.params);
    const result = await replayDeadLetter(id);
    context.log(`admin ${admin.userId} replayed dead letter ${result.id} on queue ${result.queue}`);
    return json(200, result);
  }),
});

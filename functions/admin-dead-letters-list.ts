import { z } from "zod";
import { queueNames } from "../shared/app/ports/work-queue";
import { listDeadLetters, MAX_DEAD_LETTER_PAGE } from "../shared/composition/dead-letters";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const query = z.object({
  queue: z.enum(queueNames).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_DEAD_LETTER_PAGE).default(50),
  continuation: z.string().min(1).max(8192).optional(),
});

/**
 * GET /api/admin/dead-letters[?queue=&limit=&continuation=]: failed work from the dead-letter store and
 * the queues' Service Bus dead-letter sub-queues, with reason and attempts, never message bodies.
 */
export const adminDeadLettersList = httpFunction({
  name: "admin-dead-letters-list",
  route: "admin/dead-letters",
  methods: ["GET"],
  api: {
    summary: "Failed work, with reason and attempts (never bodies)",
    auth: "admin",
    query,
    responses: { 200: "A page of dead letters" },
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    const input = parseInput(query, Object.fromEntries(request.query.entries()));
    const listing = await listDeadLetters({
      limit: input.limit,
      ...(input.queue === undefined ? {} : { queue: input.queue }),
      ...(input.continuation === undefined ? {} : { continuation: input.continuation }),
    });
    return json(200, listing);
  }),
});

import { z } from "zod";
import { requestSyncRun } from "../shared/composition/sync";
import { syncKinds } from "../shared/domain/sync/sync-kinds";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

/** How long the request waits for the queued run before answering 202. */
export const RUN_WAIT_MS = 5_000;

const params = z.object({ kind: z.enum(syncKinds) });

/**
 * POST /api/admin/sync/{rooms|directory}: "run now". The request is recorded and queued (`sync-run`),
 * so it is never lost; 200 with the result when the run ends within a short wait, else 202 with
 * `Location: /api/admin/sync` (also when it joins a run or request already under way: one at a time).
 */
export const adminSyncRun = httpFunction({
  name: "admin-sync-run",
  route: "admin/sync/{kind}",
  methods: ["POST"],
  api: {
    summary: "Run a rooms or directory sync now",
    auth: "admin",
    params,
    responses: { 200: "The run ended within the wait", 202: "Queued or joined a run under way" },
    errors: ["not-available-in-mode", "conflict"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { kind } = parseInput(params, request.params);
    context.log(`admin ${admin.userId} asked for a ${kind} sync`);
    const result = await requestSyncRun(kind, admin.userId, RUN_WAIT_MS);
    if (result.outcome === "succeeded" || result.outcome === "failed") return json(200, result);
    return json(202, result, { location: "/api/admin/sync" });
  }),
});

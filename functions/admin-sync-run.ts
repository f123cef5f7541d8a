import { z } from "zod";
import { runSync, type SyncRunResult } from "../shared/app/sync/run-sync";
import { getServices } from "../shared/composition";
import { syncDependencies } from "../shared/composition/sync";
import { AppError } from "../shared/domain/errors";
import { syncKinds } from "../shared/domain/sync/sync-kinds";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

/** How long the request waits for the run; longer runs go on and are followed on GET /api/admin/sync. */
export const RUN_WAIT_MS = 20_000;

const params = z.object({ kind: z.enum(syncKinds) });

/**
 * POST /api/admin/sync/{rooms|directory}: runs the sync now. 200 with the result when it finishes
 * within the wait; 202 while it still runs (or another run holds it: nothing is done twice).
 */
export const adminSyncRun = httpFunction({
  name: "admin-sync-run",
  route: "admin/sync/{kind}",
  methods: ["POST"],
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const { kind } = parseInput(params, request.params);
    const deps = await syncDependencies(getServices(), (m) => context.log(m));
    context.log(`admin ${admin.userId} asked for a ${kind} sync`);
    const run = runSync(deps, kind, "admin");
    const waited = await Promise.race([
      run,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), RUN_WAIT_MS).unref()),
    ]);
    if (waited === undefined) return json(202, { kind, outcome: "running" }, { location: "/api/admin/sync" });
    return respond(waited);
  }),
});

function respond(result: SyncRunResult) {
  switch (result.outcome) {
    case "unavailable":
      throw new AppError(
        "not-available-in-mode",
        result.kind === "rooms"
          ? "This mode cannot list rooms (no Place.Read.All): import them with POST /api/admin/rooms/import."
          : "This mode cannot read the directory (no User.Read.All and Group.Read.All): people are added at sign-in.",
      );
    case "not-configured":
      throw new AppError("precondition-failed", "Set up the Microsoft 365 integration first.");
    case "already-running":
      return json(
        202,
        { kind: result.kind, outcome: "already-running", runId: result.runId },
        { location: "/api/admin/sync" },
      );
    default:
      return json(200, result);
  }
}

import { acceptLifecycle } from "../shared/composition/calendar";
import { lifecycleNotificationSchema } from "../shared/domain/calendar/calendar-change";
import { httpFunction } from "./lib/definition";
import { graphWebhookHandler } from "./lib/graph-webhook";

/**
 * POST /api/graph/lifecycle: Graph's lifecycle notifications (`reauthorizationRequired`,
 * `subscriptionRemoved`, `missed`), checked like change notifications and answered through the
 * `calendar-changes` queue; 202 once queued.
 */
export const graphLifecycleHandler = (accept: typeof acceptLifecycle = acceptLifecycle) =>
  graphWebhookHandler("lifecycle", lifecycleNotificationSchema, accept);

export const graphLifecycle = httpFunction({
  name: "graph-lifecycle",
  route: "graph/lifecycle",
  methods: ["POST"],
  handler: graphLifecycleHandler(),
});

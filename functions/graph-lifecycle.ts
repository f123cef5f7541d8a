import { acceptLifecycle } from "../shared/composition/calendar";
import {
  lifecycleNotificationSchema,
  notificationCollectionSchema,
} from "../shared/domain/calendar/calendar-change";
import { httpFunction } from "./lib/definition";
import { graphWebhookHandler, webhookApi } from "./lib/graph-webhook";

const lifecycleBody = notificationCollectionSchema(lifecycleNotificationSchema);

/**
 * POST /api/graph/lifecycle: Graph's lifecycle notifications (`reauthorizationRequired`,
 * `subscriptionRemoved`, `missed`), checked like change notifications and answered through the
 * `calendar-changes` queue; 202 once queued.
 */
export const graphLifecycleHandler = (accept: typeof acceptLifecycle = acceptLifecycle) =>
  graphWebhookHandler("lifecycle", lifecycleBody, accept);

export const graphLifecycle = httpFunction({
  name: "graph-lifecycle",
  route: "graph/lifecycle",
  methods: ["POST"],
  api: {
    summary: "Graph's lifecycle notifications",
    ...webhookApi,
    body: lifecycleBody,
  },
  handler: graphLifecycleHandler(),
});

import { acceptLifecycle } from "../shared/composition/calendar";
import {
  lifecycleNotificationSchema,
  notificationCollectionSchema,
} from "../shared/domain/calendar/calendar-change";
import { httpFunction } from "./lib/definition";
import { graphWebhookHandler, validationQuery } from "./lib/graph-webhook";

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
    auth: "graph",
    query: validationQuery,
    bodyOptional: true,
    body: lifecycleBody,
    responses: {
      200: { description: "The validation handshake: the token echoed", type: "text/plain" },
      202: { description: "Queued", type: "" },
    },
  },
  handler: graphLifecycleHandler(),
});

import { acceptNotifications } from "../shared/composition/calendar";
import { changeNotificationSchema } from "../shared/domain/calendar/calendar-change";
import { httpFunction } from "./lib/definition";
import { graphWebhookHandler } from "./lib/graph-webhook";

/**
 * POST /api/graph/notifications: Graph's change notifications on room calendars. The validation
 * handshake is answered at once; a batch is checked (subscription known, clientState matching),
 * queued on `calendar-changes` and answered 202.
 */
export const graphNotificationsHandler = (accept: typeof acceptNotifications = acceptNotifications) =>
  graphWebhookHandler("notifications", changeNotificationSchema, accept);

export const graphNotifications = httpFunction({
  name: "graph-notifications",
  route: "graph/notifications",
  methods: ["POST"],
  handler: graphNotificationsHandler(),
});

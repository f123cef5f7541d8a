import { acceptNotifications } from "../shared/composition/calendar";
import {
  changeNotificationSchema,
  notificationCollectionSchema,
} from "../shared/domain/calendar/calendar-change";
import { httpFunction } from "./lib/definition";
import { graphWebhookHandler, webhookApi } from "./lib/graph-webhook";

const notificationsBody = notificationCollectionSchema(changeNotificationSchema);

/**
 * POST /api/graph/notifications: Graph's change notifications on room calendars. The validation
 * handshake is answered at once; a batch is checked (subscription known, clientState matching),
 * queued on `calendar-changes` and answered 202.
 */
export const graphNotificationsHandler = (accept: typeof acceptNotifications = acceptNotifications) =>
  graphWebhookHandler("notifications", notificationsBody, accept);

export const graphNotifications = httpFunction({
  name: "graph-notifications",
  route: "graph/notifications",
  methods: ["POST"],
  api: {
    summary: "Graph's change notifications on room calendars",
    ...webhookApi,
    body: notificationsBody,
  },
  handler: graphNotificationsHandler(),
});

/**
 * What the Functions host must receive for every function, written out by hand so that a binding that
 * drifts from the plan (API.md) fails the registration test. Add a row with every new function.
 */
export type ExpectedBinding =
  | { type: "httpTrigger"; route: string; methods: string[]; authLevel: "anonymous" }
  | { type: "timerTrigger"; schedule: string }
  | { type: "serviceBusTrigger"; queueName: string; connection: "SERVICEBUS" };

export const expectedBindings: Record<string, ExpectedBinding> = {
  health: { type: "httpTrigger", route: "health", methods: ["GET"], authLevel: "anonymous" },
  "mail-send": { type: "serviceBusTrigger", queueName: "mail", connection: "SERVICEBUS" },
  "secret-expiry": { type: "timerTrigger", schedule: "%SECRET_EXPIRY_SCHEDULE%" },
  "auth-login": { type: "httpTrigger", route: "auth/login", methods: ["GET"], authLevel: "anonymous" },
  "auth-callback": { type: "httpTrigger", route: "auth/callback", methods: ["GET"], authLevel: "anonymous" },
  "auth-logout": { type: "httpTrigger", route: "auth/logout", methods: ["POST"], authLevel: "anonymous" },
  "integration-capabilities": {
    type: "httpTrigger",
    route: "integration/capabilities",
    methods: ["GET"],
    authLevel: "anonymous",
  },
  me: { type: "httpTrigger", route: "me", methods: ["GET"], authLevel: "anonymous" },
  "rooms-sync": { type: "timerTrigger", schedule: "%ROOMS_SYNC_SCHEDULE%" },
  "directory-sync": { type: "timerTrigger", schedule: "%DIRECTORY_SYNC_SCHEDULE%" },
  "admin-sync-get": { type: "httpTrigger", route: "admin/sync", methods: ["GET"], authLevel: "anonymous" },
  "admin-sync-run": {
    type: "httpTrigger",
    route: "admin/sync/{kind}",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-buildings-list": {
    type: "httpTrigger",
    route: "admin/buildings",
    methods: ["GET"],
    authLevel: "anonymous",
  },
  "admin-buildings-put": {
    type: "httpTrigger",
    route: "admin/buildings/{id}",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "sync-run": { type: "serviceBusTrigger", queueName: "sync-run", connection: "SERVICEBUS" },
  "admin-rooms-import": {
    type: "httpTrigger",
    route: "admin/rooms/import",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-integration-get": {
    type: "httpTrigger",
    route: "admin/integration",
    methods: ["GET"],
    authLevel: "anonymous",
  },
  "admin-integration-put": {
    type: "httpTrigger",
    route: "admin/integration",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "admin-integration-test": {
    type: "httpTrigger",
    route: "admin/integration/test",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-settings-cross-domain-get": {
    type: "httpTrigger",
    route: "admin/settings/cross-domain",
    methods: ["GET"],
    authLevel: "anonymous",
  },
  "admin-settings-cross-domain-put": {
    type: "httpTrigger",
    route: "admin/settings/cross-domain",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "admin-settings-mail-get": {
    type: "httpTrigger",
    route: "admin/settings/mail",
    methods: ["GET"],
    authLevel: "anonymous",
  },
  "admin-settings-mail-put": {
    type: "httpTrigger",
    route: "admin/settings/mail",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "admin-integration-exchange-script": {
    type: "httpTrigger",
    route: "admin/integration/exchange-script",
    methods: ["GET"],
    authLevel: "anonymous",
  },
  "admin-dead-letters-list": {
    type: "httpTrigger",
    route: "admin/dead-letters",
    methods: ["GET"],
    authLevel: "anonymous",
  },
  "admin-dead-letters-replay": {
    type: "httpTrigger",
    route: "admin/dead-letters/{id}/replay",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  housekeeping: { type: "timerTrigger", schedule: "%HOUSEKEEPING_SCHEDULE%" },
  "graph-notifications": {
    type: "httpTrigger",
    route: "graph/notifications",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "graph-lifecycle": {
    type: "httpTrigger",
    route: "graph/lifecycle",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "subscriptions-renew": { type: "timerTrigger", schedule: "%SUBSCRIPTIONS_RENEW_SCHEDULE%" },
  "calendar-changes": { type: "serviceBusTrigger", queueName: "calendar-changes", connection: "SERVICEBUS" },
  "admin-rooms-resync": {
    type: "httpTrigger",
    route: "admin/rooms/{id}/resync",
    methods: ["POST"],
    authLevel: "anonymous",
  },
};

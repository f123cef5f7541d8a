/**
 * What the Functions host must receive for every function, written out by hand so that a binding that
 * drifts from the plan (API.md) fails the registration test. Add a row with every new function.
 */
export type ExpectedBinding =
  | { type: "httpTrigger"; route: string; methods: string[]; authLevel: "anonymous" }
  | { type: "timerTrigger"; schedule: string }
  | { type: "serviceBusTrigger"; queueName: string; connection: "SERVICEBUS" };

export const expectedBindings: Record<string, ExpectedBinding> = {
  health: { type: "httpTrigger", route: "api/health", methods: ["GET", "HEAD"], authLevel: "anonymous" },
  "mail-send": { type: "serviceBusTrigger", queueName: "mail", connection: "SERVICEBUS" },
  "secret-expiry": { type: "timerTrigger", schedule: "%SECRET_EXPIRY_SCHEDULE%" },
  "auth-login": {
    type: "httpTrigger",
    route: "api/auth/login",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "auth-callback": {
    type: "httpTrigger",
    route: "api/auth/callback",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "auth-logout": { type: "httpTrigger", route: "api/auth/logout", methods: ["POST"], authLevel: "anonymous" },
  "integration-capabilities": {
    type: "httpTrigger",
    route: "api/integration/capabilities",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  me: { type: "httpTrigger", route: "api/me", methods: ["GET", "HEAD"], authLevel: "anonymous" },
  "rooms-sync": { type: "timerTrigger", schedule: "%ROOMS_SYNC_SCHEDULE%" },
  "directory-sync": { type: "timerTrigger", schedule: "%DIRECTORY_SYNC_SCHEDULE%" },
  "admin-sync-get": {
    type: "httpTrigger",
    route: "api/admin/sync",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-sync-run": {
    type: "httpTrigger",
    route: "api/admin/sync/{kind}",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-buildings-list": {
    type: "httpTrigger",
    route: "api/admin/buildings",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-buildings-put": {
    type: "httpTrigger",
    route: "api/admin/buildings/{id}",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "sync-run": { type: "serviceBusTrigger", queueName: "sync-run", connection: "SERVICEBUS" },
  "admin-rooms-import": {
    type: "httpTrigger",
    route: "api/admin/rooms/import",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-integration-get": {
    type: "httpTrigger",
    route: "api/admin/integration",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-integration-put": {
    type: "httpTrigger",
    route: "api/admin/integration",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "admin-integration-test": {
    type: "httpTrigger",
    route: "api/admin/integration/test",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-settings-cross-domain-get": {
    type: "httpTrigger",
    route: "api/admin/settings/cross-domain",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-settings-cross-domain-put": {
    type: "httpTrigger",
    route: "api/admin/settings/cross-domain",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "admin-settings-mail-get": {
    type: "httpTrigger",
    route: "api/admin/settings/mail",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-settings-mail-put": {
    type: "httpTrigger",
    route: "api/admin/settings/mail",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "admin-integration-exchange-script": {
    type: "httpTrigger",
    route: "api/admin/integration/exchange-script",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-dead-letters-list": {
    type: "httpTrigger",
    route: "api/admin/dead-letters",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-dead-letters-replay": {
    type: "httpTrigger",
    route: "api/admin/dead-letters/{id}/replay",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  housekeeping: { type: "timerTrigger", schedule: "%HOUSEKEEPING_SCHEDULE%" },
  "rooms-list": { type: "httpTrigger", route: "api/rooms", methods: ["GET", "HEAD"], authLevel: "anonymous" },
  "rooms-get": {
    type: "httpTrigger",
    route: "api/rooms/{id}",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "rooms-schedule": {
    type: "httpTrigger",
    route: "api/rooms/{id}/schedule",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "bookings-create": {
    type: "httpTrigger",
    route: "api/bookings",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "bookings-list": {
    type: "httpTrigger",
    route: "api/bookings",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "bookings-get": {
    type: "httpTrigger",
    route: "api/bookings/{id}",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "bookings-update": {
    type: "httpTrigger",
    route: "api/bookings/{id}",
    methods: ["PATCH"],
    authLevel: "anonymous",
  },
  "bookings-cancel": {
    type: "httpTrigger",
    route: "api/bookings/{id}",
    methods: ["DELETE"],
    authLevel: "anonymous",
  },
  "bookings-approve": {
    type: "httpTrigger",
    route: "api/bookings/{id}/approve",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "bookings-reject": {
    type: "httpTrigger",
    route: "api/bookings/{id}/reject",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-room-policy-get": {
    type: "httpTrigger",
    route: "api/admin/rooms/{id}/policy",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-room-policy-put": {
    type: "httpTrigger",
    route: "api/admin/rooms/{id}/policy",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "admin-policies-list": {
    type: "httpTrigger",
    route: "api/admin/policies",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "admin-policies-create": {
    type: "httpTrigger",
    route: "api/admin/policies",
    methods: ["POST"],
    authLevel: "anonymous",
  },
  "admin-policies-put": {
    type: "httpTrigger",
    route: "api/admin/policies/{id}",
    methods: ["PUT"],
    authLevel: "anonymous",
  },
  "booking-commands": { type: "serviceBusTrigger", queueName: "booking-commands", connection: "SERVICEBUS" },
  "web-app": { type: "httpTrigger", route: "app/{*path}", methods: ["GET", "HEAD"], authLevel: "anonymous" },
  "web-admin": {
    type: "httpTrigger",
    route: "admin/{*path}",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "web-assets": {
    type: "httpTrigger",
    route: "assets/{file}",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
  "web-addin": {
    type: "httpTrigger",
    route: "addin/{*path}",
    methods: ["GET", "HEAD"],
    authLevel: "anonymous",
  },
};

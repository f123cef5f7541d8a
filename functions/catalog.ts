import type { FunctionDefinition } from "./lib/definition";
import { adminIntegrationGet } from "./admin-integration-get";
import { adminIntegrationPut } from "./admin-integration-put";
import { adminIntegrationTest } from "./admin-integration-test";
import { adminIntegrationExchangeScript } from "./admin-integration-exchange-script";
import { adminRoomsImport } from "./admin-rooms-import";
import { adminBuildingsList } from "./admin-buildings-list";
import { adminBuildingsPut } from "./admin-buildings-put";
import { adminSettingsCrossDomainGet } from "./admin-settings-cross-domain-get";
import { adminSettingsCrossDomainPut } from "./admin-settings-cross-domain-put";
import { adminSettingsMailGet } from "./admin-settings-mail-get";
import { adminSettingsMailPut } from "./admin-settings-mail-put";
import { adminSyncGet } from "./admin-sync-get";
import { adminSyncRun } from "./admin-sync-run";
import { directorySync } from "./directory-sync";
import { roomsSync } from "./rooms-sync";
import { authCallback } from "./auth-callback";
import { authLogin } from "./auth-login";
import { authLogout } from "./auth-logout";
import { health } from "./health";
import { integrationCapabilitiesFunction } from "./integration-capabilities";
import { me } from "./me";
import { mailSend } from "./mail-send";
import { secretExpiry } from "./secret-expiry";
import { adminDeadLettersList } from "./admin-dead-letters-list";
import { adminDeadLettersReplay } from "./admin-dead-letters-replay";
import { housekeeping } from "./housekeeping";
import { bookingsRecovery } from "./bookings-recovery";
import { syncRun } from "./sync-run";
import { roomsList } from "./rooms-list";
import { roomsGet } from "./rooms-get";
import { roomsSchedule } from "./rooms-schedule";
import { bookingsCreate } from "./bookings-create";
import { bookingsList } from "./bookings-list";
import { bookingsApprovals } from "./bookings-approvals";
import { peopleSearch } from "./people-search";
import { bookingsGet } from "./bookings-get";
import { bookingsUpdate } from "./bookings-update";
import { bookingsCancel } from "./bookings-cancel";
import { bookingsApprove } from "./bookings-approve";
import { bookingsReject } from "./bookings-reject";
import { adminRoomPolicyGet } from "./admin-room-policy-get";
import { adminRoomPolicyPut } from "./admin-room-policy-put";
import { adminPoliciesList } from "./admin-policies-list";
import { adminPoliciesCreate } from "./admin-policies-create";
import { adminPoliciesPut } from "./admin-policies-put";
import { bookingCommands } from "./booking-commands";
import { webAddin } from "./web-addin";
import { webAdmin } from "./web-admin";
import { webApp } from "./web-app";
import { webAssets } from "./web-assets";
import { adminDisplaysList } from "./admin-displays-list";
import { adminDisplaysCreate } from "./admin-displays-create";
import { adminDisplaysDelete } from "./admin-displays-delete";
import { adminDisplaysPairingCode } from "./admin-displays-pairing-code";
import { displaysPair } from "./displays-pair";
import { displaysHeartbeat } from "./displays-heartbeat";
import { displaysNegotiate } from "./displays-negotiate";
import { displaysSchedule } from "./displays-schedule";
import { displaysActions } from "./displays-actions";
import { autoRelease } from "./auto-release";
import { displayHealth } from "./display-health";
import { webDisplay, webDisplayAssets } from "./web-display";
import { graphNotifications } from "./graph-notifications";
import { graphLifecycle } from "./graph-lifecycle";
import { subscriptionsRenew } from "./subscriptions-renew";
import { calendarChanges } from "./calendar-changes";
import { calendarReconcile } from "./calendar-reconcile";
import { calendarPoll } from "./calendar-poll";
import { adminRoomsResync } from "./admin-rooms-resync";
import { openApi } from "./openapi";
import { bookingsHoldsCreate } from "./bookings-holds-create";
import { bookingsHoldsDelete } from "./bookings-holds-delete";
import { bookingsHoldsUpdate } from "./bookings-holds-update";
import { holdsExpire } from "./holds-expire";

/** Every function of the app, in one list: registered for Azure by index.ts and served by dev/host. */
export const functionCatalog: readonly FunctionDefinition[] = [
  health,
  mailSend,
  secretExpiry,
  authLogin,
  authCallback,
  authLogout,
  me,
  integrationCapabilitiesFunction,
  roomsSync,
  directorySync,
  adminSyncGet,
  adminSyncRun,
  syncRun,
  adminRoomsImport,
  adminBuildingsList,
  adminBuildingsPut,
  adminIntegrationExchangeScript,
  adminIntegrationGet,
  adminIntegrationPut,
  adminIntegrationTest,
  adminSettingsCrossDomainGet,
  adminSettingsCrossDomainPut,
  adminSettingsMailGet,
  adminSettingsMailPut,
  adminDeadLettersList,
  adminDeadLettersReplay,
  housekeeping,
  bookingsRecovery,
  roomsList,
  roomsGet,
  roomsSchedule,
  bookingsCreate,
  bookingsList,
  // Before bookings-get: `bookings/approvals` is a literal route beside `bookings/{id}`.
  bookingsApprovals,
  peopleSearch,
  bookingsGet,
  bookingsUpdate,
  bookingsCancel,
  bookingsApprove,
  bookingsReject,
  adminRoomPolicyGet,
  adminRoomPolicyPut,
  adminPoliciesList,
  adminPoliciesCreate,
  adminPoliciesPut,
  bookingCommands,
  webApp,
  webAdmin,
  webAddin,
  webAssets,
  adminDisplaysList,
  adminDisplaysCreate,
  adminDisplaysDelete,
  adminDisplaysPairingCode,
  displaysPair,
  displaysHeartbeat,
  displaysNegotiate,
  displaysSchedule,
  displaysActions,
  displayHealth,
  autoRelease,
  webDisplay,
  webDisplayAssets,
  graphNotifications,
  graphLifecycle,
  subscriptionsRenew,
  calendarChanges,
  calendarReconcile,
  calendarPoll,
  adminRoomsResync,
  openApi(() => functionCatalog),
  bookingsHoldsCreate,
  bookingsHoldsUpdate,
  bookingsHoldsDelete,
  holdsExpire,
];

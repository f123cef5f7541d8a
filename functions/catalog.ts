import type { FunctionDefinition } from "./lib/definition";
import { adminRoomsImport } from "./admin-rooms-import";
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
  adminRoomsImport,
];

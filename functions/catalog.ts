import type { FunctionDefinition } from "./lib/definition";
import { adminRoomsImport } from "./admin-rooms-import";
import { adminSyncGet } from "./admin-sync-get";
import { adminSyncRun } from "./admin-sync-run";
import { directorySync } from "./directory-sync";
import { roomsSync } from "./rooms-sync";
import { health } from "./health";
import { mailSend } from "./mail-send";
import { secretExpiry } from "./secret-expiry";

/** Every function of the app, in one list: registered for Azure by index.ts and served by dev/host. */
export const functionCatalog: readonly FunctionDefinition[] = [
  health,
  mailSend,
  secretExpiry,
  roomsSync,
  directorySync,
  adminSyncGet,
  adminSyncRun,
  adminRoomsImport,
];

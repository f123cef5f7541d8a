import type { FunctionDefinition } from "./lib/definition";
import { health } from "./health";
import { mailSend } from "./mail-send";
import { secretExpiry } from "./secret-expiry";

/** Every function of the app, in one list: registered for Azure by index.ts and served by dev/host. */
export const functionCatalog: readonly FunctionDefinition[] = [health, mailSend, secretExpiry];

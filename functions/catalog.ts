import type { FunctionDefinition } from "./lib/definition";
import { health } from "./health";

/** Every function of the app, in one list: registered for Azure by index.ts and served by dev/host. */
export const functionCatalog: readonly FunctionDefinition[] = [health];

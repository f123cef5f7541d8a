import { app } from "@azure/functions";
import { functionCatalog } from "./catalog";
import { registerFunctions } from "./lib/register";

// Entry point of the Functions app (package.json "main" → dist/index.js, bundled by esbuild).
app.setup({ enableHttpStream: false });
registerFunctions(functionCatalog);

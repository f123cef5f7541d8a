import type { TestProject } from "vitest/node";
import { startAzurite, type RunningAzurite } from "../../dev/azurite";

/**
 * Starts the shared local stack once for the whole run and hands its addresses to the test workers
 * through `project.provide` and environment variables. Everything started here is stopped in teardown.
 */
let azurite: RunningAzurite | undefined;

export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  process.env.TEST_TABLES_CONNECTION_STRING = azurite.connectionString;
  project.provide("tablesConnectionString", azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    tablesConnectionString: string;
  }
}

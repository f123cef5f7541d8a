import type { TestProject } from "vitest/node";
import { startAzurite, type RunningAzurite } from "../../dev/azurite";
import { LOCAL_CA_DIR } from "../../dev/ensure-ca";
import { ensureCa } from "../../dev/m365";
import { buildWeb, webBuildIsStale } from "../../scripts/build-web";

/**
 * Starts the shared local stack once for the whole run and hands its addresses to the test workers
 * through `project.provide` and environment variables. Everything started here is stopped in teardown.
 */
let azurite: RunningAzurite | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Test workers are forked after this runs and inherit the variable, so they trust the M365 simulator.
  process.env.NODE_EXTRA_CA_CERTS = ensureCa(LOCAL_CA_DIR).certPath;
  // The browser tests drive the built pages the app serves: build them when web/ changed since.
  if (webBuildIsStale()) await buildWeb({ quiet: true });
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

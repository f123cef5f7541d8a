import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium (`apt-get install -y chromium`, done by `.ci/run`); CHROMIUM_PATH overrides it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where browser tests keep their screenshots (git-ignored; CI may collect it as an artifact). */
export const artifactsDir = join(process.cwd(), "test-artifacts");

/**
 * Headless chromium for browser tests. The flags keep it off the network (this machine has none but
 * loopback) and out of any profile; the caller closes it in its `afterAll`.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** The path for a named screenshot under `test-artifacts/`, creating the folder. */
export function artifactPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}

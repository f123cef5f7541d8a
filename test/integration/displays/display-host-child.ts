/**
 * A host for the display durability tests, run as a child process so that a test can kill it (SIGKILL)
 * at a known point, as a worker dies in Azure. DISPLAY_HOST_RUN=actions serves the display actions route
 * on the local host; DISPLAY_HOST_RUN=auto-release runs the auto-release timer's use case once. The
 * app's clock stands at DISPLAY_HOST_NOW; the app settings come from the environment.
 */
import { startHost } from "../../../dev/host";
import { consoleLogger } from "../../../dev/host/logger";
import { displaysActions } from "../../../functions/displays-actions";
import { overrideServices } from "../../../shared/composition";
import { autoRelease } from "../../../shared/composition/displays";

async function main(): Promise<void> {
  const now = Date.parse(process.env.DISPLAY_HOST_NOW ?? "");
  if (Number.isNaN(now)) throw new Error("DISPLAY_HOST_NOW is not an instant");
  await overrideServices({ now: () => new Date(now) });
  // Never outlive the test: a parent that died without stopping this host leaves it orphaned.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 500).unref();
  if (process.env.DISPLAY_HOST_RUN === "auto-release") {
    process.stdout.write("display-host ready\n");
    const result = await autoRelease();
    process.stdout.write(`display-host done ${JSON.stringify(result)}\n`);
    return;
  }
  const host = await startHost({
    functions: [displaysActions],
    port: 0,
    logger: consoleLogger({ quiet: true }),
    timers: false,
  });
  process.stdout.write(`display-host ready ${host.baseUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`display-host failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

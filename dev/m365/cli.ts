/**
 * Runs the simulator on its own: `tsx dev/m365/cli.ts [--port 8443] [--host-names] [--users 200]
 * [--ca-dir .local/m365] [--browser-port 0]` (the last: sign-in pages also on http, for browsers).
 * Prints the base URLs, tenant id and demo app credentials; Ctrl-C stops it.
 */
import { startM365Simulator, DEMO_APPS } from "./index";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const users = arg("users");
  const sim = await startM365Simulator({
    caDir: arg("ca-dir") ?? ".local/m365",
    port: Number(arg("port") ?? 0),
    hostNames: process.argv.includes("--host-names"),
    seed: users ? { demo: { users: Number(users) } } : "demo",
    ...(arg("browser-port") === undefined ? {} : { browserSignInPort: Number(arg("browser-port")) }),
  });
  console.log(`M365 simulator
  Graph:      ${sim.graphBaseUrl}/v1.0
  Login:      ${sim.loginBaseUrl}/${sim.tenantId}
  Control:    ${sim.graphBaseUrl}/_sim/tenant
  Tenant id:  ${sim.tenantId}
  CA:         ${sim.caPath}  (NODE_EXTRA_CA_CERTS)`);
  if (sim.browserSignInBaseUrl !== undefined)
    console.log(`  Sign-in pages for browsers: ${sim.browserSignInBaseUrl} (plain http on loopback)`);
  for (const [mode, app] of Object.entries(DEMO_APPS))
    console.log(`  ${mode.padEnd(24)} client id ${app.clientId}  secret ${app.secret}`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

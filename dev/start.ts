import { startLocalStack } from "./stack";

/**
 * `npm start`: the whole app on its local stack (no internet, no Azure). Listens on 127.0.0.1:7071
 * (PORT changes it) and stops everything on Ctrl-C.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 7071);
  const stack = await startLocalStack({ port });
  console.log(`\nONES for Microsoft 365 is running on ${stack.host.baseUrl}`);
  console.log(`  start page   ${stack.host.baseUrl}/`);
  console.log(`  health       ${stack.host.baseUrl}/api/health`);
  for (const link of stack.links)
    console.log(`  ${link.label}${link.url === undefined ? "" : `  ${link.url}`}`);
  console.log("\nPress Ctrl-C to stop.\n");

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

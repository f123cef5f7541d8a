/**
 * Chaos soak on the local stack (loopback only): a seeded random mix of Outlook users' meetings in
 * the M365 simulator, staff bookings through the API and room displays checking in, extending, ending
 * and booking now through the device API, while the simulator injects Graph faults (5xx, slow answers,
 * 429 storms with Retry-After), drops, duplicates, delays and reorders change notifications, expires
 * subscriptions, sends lifecycle events and expires issued access tokens early, and the app's host is
 * killed (SIGKILL) and started again. After quiescence and one reconcile it checks the invariants and exits
 * non-zero when one fails.
 *
 * Run: npm run soak -- --seed 42 --operations 5000 [--time-limit 1800] [--concurrency 4] [--kills 6]
 *   [--settle-timeout 420] [--mail-lease 300]
 */
import { randomInt } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { formatSoakReport } from "./soak/report";
import { runSoak } from "./soak/run";

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.indexOf(`--${name}`);
  if (at >= 0) return args[at + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function numberOption(name: string, fallback: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not ${text}`);
  return value;
}

async function main(): Promise<void> {
  const seed = numberOption("seed", randomInt(1, 2 ** 31));
  const operations = numberOption("operations", 1_000);
  const timeLimitSeconds = numberOption("time-limit", 1_800);
  const kills = numberOption("kills", Math.min(10, 3 + Math.floor(operations / 1_000)));
  console.log(
    `soak: seed ${seed}, ${operations} operations, at most ${timeLimitSeconds} s, ${kills} host kills; ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const report = await runSoak({
    seed,
    operations,
    timeLimitMs: timeLimitSeconds * 1000,
    concurrency: numberOption("concurrency", 4),
    kills,
    settleTimeoutMs: numberOption("settle-timeout", 420) * 1000,
    ...(option("mail-lease") === undefined
      ? {}
      : { stack: { mailClaimLeaseMs: numberOption("mail-lease", 300) * 1000 } }),
    log: (line) => console.log(line),
  });
  for (const line of formatSoakReport(report)) console.log(line);
  console.log(`(rerun: npm run soak -- --seed ${seed} --operations ${operations})`);
  if (report.failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

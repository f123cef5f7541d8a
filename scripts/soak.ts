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
 * The short soak of `npm test` (its settings, its own Azurite): npm run soak -- --short [--seed 1203]
 */
import { randomInt } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { formatSoakReport } from "./soak/report";
import { runSoak, type SoakOptions } from "./soak/run";
import { shortSoak } from "./soak/short";

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

function longSoak(seed: number): SoakOptions {
  const operations = numberOption("operations", 1_000);
  return {
    seed,
    operations,
    timeLimitMs: numberOption("time-limit", 1_800) * 1000,
    concurrency: numberOption("concurrency", 4),
    kills: numberOption("kills", Math.min(10, 3 + Math.floor(operations / 1_000))),
    settleTimeoutMs: numberOption("settle-timeout", 420) * 1000,
    ...(option("mail-lease") === undefined
      ? {}
      : { stack: { mailClaimLeaseMs: numberOption("mail-lease", 300) * 1000 } }),
  };
}

async function main(): Promise<void> {
  const short = process.argv.includes("--short");
  const seed = numberOption("seed", randomInt(1, 2 ** 31));
  const options = short ? shortSoak(seed) : longSoak(seed);
  console.log(
    `soak${short ? " (short)" : ""}: seed ${seed}, ${options.operations} operations, at most ${options.timeLimitMs / 1000} s, ${options.kills} host kills; ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const report = await runSoak({ ...options, log: (line) => console.log(line) });
  for (const line of formatSoakReport(report)) console.log(line);
  console.log(
    `load at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `(rerun: npm run soak -- ${short ? "--short " : ""}--seed ${seed}${short ? "" : ` --operations ${options.operations}`})`,
  );
  if (report.failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { execFileSync } from "node:child_process";
import os from "node:os";
import { buildApp } from "./build";

/**
 * Cold start: bundles the app, then imports the bundle in a fresh node process ten times and prints the
 * bundle size and the median import time (registration of every function included).
 */
const RUNS = 10;

async function main(): Promise<void> {
  const { bytes } = await buildApp({ quiet: true });
  const probe =
    "const t=performance.now();require('./dist/index.js');process.stdout.write(String(performance.now()-t))";
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ["-e", probe], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    times.push(Number(out));
  }
  times.sort((a, b) => a - b);
  const median = ((times[RUNS / 2 - 1] ?? 0) + (times[RUNS / 2] ?? 0)) / 2;
  console.log(`cores: ${os.cpus().length}`);
  console.log(`bundle: dist/index.js ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(
    `import: median ${median.toFixed(1)} ms over ${RUNS} runs (min ${times[0]?.toFixed(1)}, max ${times[RUNS - 1]?.toFixed(1)}); target ≤ 400 ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

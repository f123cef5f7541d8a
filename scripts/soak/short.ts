import type { SoakOptions } from "./run";

/** The seed the short soak in `npm test` runs with unless SOAK_SEED names another. */
export const SHORT_SOAK_SEED = 1203;

/**
 * The short soak's settings (the one `npm test` runs, and `npm run soak -- --short`): 200 operations
 * from six at a time, every fault kind at a high rate, the host killed twice, a 45 s mail claim lease,
 * and a budget that ends the run (failed, if it must) before the test's time is up.
 */
export function shortSoak(seed: number, tablesConnectionString?: string): SoakOptions {
  return {
    seed,
    operations: 200,
    timeLimitMs: 300_000,
    concurrency: 6,
    kills: 2,
    faultRate: 0.6,
    settleTimeoutMs: 150_000,
    // Inside the test's 400 s: what is left after it is the recovery, the reconcile and the checks.
    budgetMs: 330_000,
    stack: {
      mailClaimLeaseMs: 45_000,
      ...(tablesConnectionString === undefined ? {} : { tablesConnectionString }),
    },
  };
}

/** The seed from SOAK_SEED (a whole number), else the short soak's fixed one. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env["SOAK_SEED"];
  if (text === undefined || text === "") return SHORT_SOAK_SEED;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`SOAK_SEED must be a whole number, not ${text}`);
  return seed;
}

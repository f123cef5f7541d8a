/** How retries of one piece of work are spaced: the first delay and the longest. */
export interface Backoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The delay before retry number `attempt` (1 after the first failure): exponential, base·2^(n-1)
 * capped at the maximum, with jitter over the upper half so that many clients failing together do
 * not retry together. `random` is in [0, 1).
 */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

import { describe, expect, it } from "vitest";
import { GraphGateways } from "../../../shared/adapters/graph/graph-gateways";
import { KeyedSemaphore, Semaphore } from "../../../shared/adapters/graph/limiter";
import type { GraphTokenProvider } from "../../../shared/app/ports/graph-token-provider";
import { AppError } from "../../../shared/domain/errors";

/** Lets every pending promise callback and timer of this turn run. */
const ticks = (n = 3): Promise<void> =>
  Array.from({ length: n }).reduce<Promise<void>>(
    (p) => p.then(() => new Promise((resolve) => setImmediate(resolve))),
    Promise.resolve(),
  );

/** Runs `work` under the limiter for each of `count` callers; returns the highest in-flight count seen. */
async function burst(acquire: () => Promise<() => void>, count: number, limit: number): Promise<number> {
  let inFlight = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const release = await acquire();
      inFlight++;
      peak = Math.max(peak, inFlight);
      expect(inFlight).toBeLessThanOrEqual(limit);
      // Uneven hold times: some release in the same microtask turn, others a few turns later.
      for (let k = 0; k < i % 4; k++) await Promise.resolve();
      if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      release();
      // A newcomer in the very tick of the release must not take the slot handed to a waiter.
      if (i % 2 === 0) {
        void acquire().then((r) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          inFlight--;
          r();
        });
      }
    }),
  );
  await ticks();
  return peak;
}

describe("Graph concurrency limiter", () => {
  it("never has more than its limit in flight under a burst (slots are handed to waiters)", async () => {
    const semaphore = new Semaphore(4);
    const peak = await burst(() => semaphore.acquire(), 200, 4);
    expect(peak).toBe(4);
    expect(semaphore.inUse).toBe(0);
    expect(semaphore.queued).toBe(0);
  });

  it("a release hands the slot to the waiter before a same-tick newcomer", async () => {
    const semaphore = new Semaphore(1);
    const order: string[] = [];
    const first = await semaphore.acquire();
    const waiter = semaphore.acquire().then((r) => (order.push("waiter"), r));
    await ticks(1);
    first();
    // Same tick as the release: before the fix the count had dropped, so this one got in too.
    const newcomer = semaphore.acquire().then((r) => (order.push("newcomer"), r));
    expect(semaphore.inUse).toBe(1);
    (await waiter)();
    (await newcomer)();
    expect(order).toEqual(["waiter", "newcomer"]);
    expect(semaphore.inUse).toBe(0);
  });

  it("keyed: the limit holds per key, keys do not block each other, idle keys are dropped", async () => {
    const keyed = new KeyedSemaphore(2);
    const peaks = await Promise.all([
      burst(() => keyed.acquire("room-a@contoso.example"), 60, 2),
      burst(() => keyed.acquire("room-b@contoso.example"), 60, 2),
    ]);
    expect(peaks).toEqual([2, 2]);
    expect(keyed.size).toBe(0);
  });

  it("every user's Graph client shares one per-mailbox limit", async () => {
    // Tokens are asked for after the mailbox slot is taken: count callers waiting for a token.
    let waitingForToken = 0;
    let peak = 0;
    const pending: Array<() => void> = [];
    const tokens: GraphTokenProvider = {
      appToken: () => Promise.reject(new Error("not used")),
      usersWithToken: () => Promise.resolve([]),
      userToken: () =>
        new Promise<string>((_, reject) => {
          waitingForToken++;
          peak = Math.max(peak, waitingForToken);
          pending.push(() => {
            waitingForToken--;
            reject(new AppError("unauthenticated", "Sign in to ONES once."));
          });
        }),
    };
    const gateways = new GraphGateways("https://graph.invalid", tokens, { perMailbox: 2, maxAttempts: 1 });
    const probe = gateways.roomCalendarProbe();
    const checks = Array.from({ length: 8 }, (_, i) => probe.check("room-a@contoso.example", `user-${i}`));
    for (let settled = 0; settled < 8;) {
      await ticks(5);
      expect(waitingForToken).toBeLessThanOrEqual(2);
      const next = pending.shift();
      if (next === undefined) continue;
      next();
      settled++;
    }
    const results = await Promise.all(checks);
    expect(results.every((r) => !r.reachable)).toBe(true);
    expect(peak).toBe(2);
  });
});

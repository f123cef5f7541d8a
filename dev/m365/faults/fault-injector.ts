import { GraphError } from "../http/errors";
import { seededRandom } from "./random";

/**
 * Fault injection for Graph routes: random errors, added latency and 429 storms. Decisions come from a
 * seeded PRNG drawn once per Graph request in arrival order, so a given seed and request sequence give
 * the same faults every run.
 */
export interface FaultSettings {
  seed: number;
  /** Probability (0..1) that a Graph request fails with `errorStatus`. */
  errorRate: number;
  errorStatus: 500 | 502 | 503 | 504;
  /** Added latency range in ms (uniform, deterministic). */
  latencyMs: [number, number];
  /** Only requests whose path (after /v1.0) starts with this are affected; undefined = all. */
  pathPrefix?: string;
  /** Retry-After seconds on injected 429 and 503. */
  retryAfterSeconds: number;
}

export interface FaultDecision {
  delayMs: number;
  error?: GraphError;
}

export class FaultInjector {
  private settings: FaultSettings = FaultInjector.defaults();
  private random = seededRandom(this.settings.seed);
  /** Remaining requests to answer with 429 (a "storm"). */
  private stormRemaining = 0;
  private stormRetryAfter = 0;
  /** Held path prefixes: matching Graph requests wait until their hold is released. */
  private holds: { prefix: string; released: Promise<void>; release: () => void }[] = [];

  static defaults(): FaultSettings {
    return { seed: 1, errorRate: 0, errorStatus: 503, latencyMs: [0, 0], retryAfterSeconds: 1 };
  }

  configure(patch: Partial<FaultSettings>): FaultSettings {
    this.settings = { ...this.settings, ...patch };
    if (patch.seed !== undefined) this.random = seededRandom(patch.seed);
    return this.settings;
  }

  /** Back to no faults, PRNG re-seeded. */
  reset(): void {
    this.settings = FaultInjector.defaults();
    this.random = seededRandom(this.settings.seed);
    this.stormRemaining = 0;
    for (const h of this.holds.splice(0)) h.release();
  }

  /**
   * Graph requests whose path (after /v1.0) starts with `pathPrefix` wait, unanswered, until the
   * returned function is called or the injector is reset: a test can stop a run at a known point.
   */
  hold(pathPrefix: string): () => void {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const entry = { prefix: pathPrefix.toLowerCase(), released, release };
    this.holds.push(entry);
    return () => {
      this.holds = this.holds.filter((h) => h !== entry);
      entry.release();
    };
  }

  /** Resolves once no hold matches `graphPath`. */
  async passHolds(graphPath: string): Promise<void> {
    const path = graphPath.toLowerCase();
    for (const h of this.holds) if (path.startsWith(h.prefix)) await h.released;
  }

  /** The next `count` Graph requests get 429 TooManyRequests with Retry-After. */
  throttleStorm(count: number, retryAfterSeconds = 0): void {
    this.stormRemaining = count;
    this.stormRetryAfter = retryAfterSeconds;
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  decide(graphPath: string): FaultDecision {
    const s = this.settings;
    if (s.pathPrefix !== undefined && !graphPath.toLowerCase().startsWith(s.pathPrefix.toLowerCase()))
      return { delayMs: 0 };
    if (this.stormRemaining > 0) {
      this.stormRemaining--;
      return {
        delayMs: 0,
        error: new GraphError(429, "TooManyRequests", "Too many requests.", {
          "Retry-After": String(this.stormRetryAfter),
        }),
      };
    }
    const [min, max] = s.latencyMs;
    const noFaults = s.errorRate <= 0 && max <= 0;
    if (noFaults) return { delayMs: 0 };
    const roll = this.random();
    const delayMs = max > 0 ? Math.round(min + (max - min) * this.random()) : 0;
    if (roll < s.errorRate) {
      const messages: Record<number, [string, string]> = {
        500: ["InternalServerError", "An internal server error occurred."],
        502: ["BadGateway", "Bad gateway."],
        503: ["ServiceUnavailable", "The service is temporarily unavailable. Please retry later."],
        504: ["GatewayTimeout", "The gateway timed out."],
      };
      const [code, message] = messages[s.errorStatus] ?? ["ServiceUnavailable", "Service unavailable."];
      const headers: Record<string, string> =
        s.errorStatus === 503 ? { "Retry-After": String(s.retryAfterSeconds) } : {};
      return { delayMs, error: new GraphError(s.errorStatus, code, message, headers) };
    }
    return { delayMs };
  }
}

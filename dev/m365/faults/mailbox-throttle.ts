import type { RequestContext } from "../http/context";
import { graphErrors } from "../http/errors";

/**
 * Outlook's concurrency limit: at most 4 concurrent requests per app per mailbox; the 5th gets
 * 429 "Application is over its MailboxConcurrency limit." with Retry-After. The docs are ambiguous on
 * whether the limit is per app+mailbox or per app (see graph-facts §5); the simulator keys it per
 * app+mailbox, as the brief asks.
 */
export class MailboxThrottle {
  maxConcurrent = 4;
  retryAfterSeconds = 1;
  private readonly inFlight = new Map<string, number>();

  /**
   * Takes a slot for the request's app on `mailboxId` until the response is complete (released by the
   * server through `ctx.cleanup`). Throws 429 when the app already has `maxConcurrent` in flight.
   */
  acquire(ctx: RequestContext, mailboxId: string): void {
    const appId = ctx.auth?.appId ?? "anonymous";
    const key = `${appId}|${mailboxId}`;
    const n = this.inFlight.get(key) ?? 0;
    if (n >= this.maxConcurrent) throw graphErrors.mailboxConcurrency(this.retryAfterSeconds);
    this.inFlight.set(key, n + 1);
    let released = false;
    ctx.cleanup.push(() => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    });
  }

  inFlightFor(appId: string, mailboxId: string): number {
    return this.inFlight.get(`${appId}|${mailboxId}`) ?? 0;
  }
}

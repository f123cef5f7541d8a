/**
 * A counting semaphore: at most `limit` holders at once, FIFO. A release hands its slot straight to
 * the longest waiter (the count does not drop in between), so a request arriving in the same tick
 * cannot slip past the queue and push the holders over the limit.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active < this.limit && this.waiting.length === 0) this.active++;
    // The slot is counted for us by the release that wakes us.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) this.active--;
      else next();
    };
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

/**
 * One semaphore per key (mailbox), dropped when idle so the map does not grow with the tenant. Share
 * one instance between every Graph client of a worker (app-only and each user's), so the per-mailbox
 * limit holds whoever's token a request carries.
 */
export class KeyedSemaphore {
  private readonly byKey = new Map<string, Semaphore>();

  constructor(private readonly limit: number) {}

  async acquire(key: string): Promise<() => void> {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = new Semaphore(this.limit);
      this.byKey.set(key, s);
    }
    const semaphore = s;
    const release = await semaphore.acquire();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (semaphore.inUse === 0 && semaphore.queued === 0 && this.byKey.get(key) === semaphore) {
        this.byKey.delete(key);
      }
    };
  }

  /** Keys with holders or waiters (for tests and diagnostics). */
  get size(): number {
    return this.byKey.size;
  }
}

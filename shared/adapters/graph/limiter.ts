/** A counting semaphore: at most `limit` holders at once, FIFO. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

/** One semaphore per key (mailbox), dropped when idle so the map does not grow with the tenant. */
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
      if (semaphore.inUse === 0 && semaphore.queued === 0) this.byKey.delete(key);
    };
  }
}

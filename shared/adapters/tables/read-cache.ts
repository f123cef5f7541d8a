/** How long a caching store keeps what it read, and its clock. */
export interface CacheOptions {
  readonly ttlMs: number;
  readonly now: () => number;
}

/**
 * Reads kept per key for a time to live: concurrent look-ups of one key share one read, a failed read
 * is not kept, and an entry is not used once `writes()` (the store's count of writes stored by this
 * process) has moved on since it was read. Holds at most `max` keys (it starts again when full).
 */
export class ReadCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; at: number; writes: number }>();

  constructor(
    private readonly options: CacheOptions,
    private readonly writes: () => number,
    private readonly max: number,
  ) {}

  get(key: string, read: () => Promise<V>): Promise<V> {
    const { ttlMs, now } = this.options;
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.writes === this.writes() && now() - hit.at < ttlMs) return hit.value;
    const entry = { value: read(), at: now(), writes: this.writes() };
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }
}

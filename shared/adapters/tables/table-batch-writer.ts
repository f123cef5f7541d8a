import type { TableClient, TransactionAction } from "@azure/data-tables";
import type { SyncWrite, SyncWriter } from "../../app/ports/sync-store";
import { backoffDelay, type Backoff } from "../../domain/backoff";
import { AppError, isAppError } from "../../domain/errors";
import { storageError, storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/** Where one write lands: a logical table, a partition and a row, and the transaction action. */
export interface RoutedWrite {
  readonly table: string;
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly action: TransactionAction;
}

interface Buffered {
  action: TransactionAction;
  /** Pages whose writes this entry carries (a later write of the same row replaces the action). */
  pages: number[];
}

interface PartitionBuffer {
  readonly table: string;
  readonly partitionKey: string;
  rows: Map<string, Buffered>;
  /** The partition's transaction in flight: one at a time keeps writes of a row in order. */
  inFlight?: Promise<void>;
}

/** Entity-group transactions hold at most 100 operations, all in one partition. */
export const MAX_BATCH = 100;

/**
 * How a transaction that failed in transit (reset, broken pipe, hang-up, timeout) or was refused for
 * the moment (408, 429, 5xx) is tried again: up to `attempts` tries in all, spaced by `backoff`. Safe
 * because every sync write is an upsert or a delete, and a delete already done is redone one by one.
 */
export interface TransactionRetry {
  readonly attempts: number;
  readonly backoff: Backoff;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export const DEFAULT_TRANSACTION_RETRY: TransactionRetry = {
  attempts: 6,
  backoff: { baseDelayMs: 200, maxDelayMs: 5_000 },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Whether storage may take the same transaction on another try. */
function transient(error: unknown): boolean {
  const mapped = storageError(error);
  return isAppError(mapped) && mapped.code === "dependency-unavailable";
}

/**
 * Buffers writes per partition and stores each full buffer as one entity-group transaction, so a run
 * makes about ceil(entities / 100) transactions. Partial buffers wait for more writes of later pages
 * (a checkpoint follows `committedPage`, which only counts pages whose writes are all stored) and are
 * written by `flush()`. Memory stays bounded: at most one buffer per partition plus `maxInFlight`
 * transactions.
 */
export class TableBatchWriter implements SyncWriter {
  private readonly buffers = new Map<string, PartitionBuffer>();
  private readonly pending = new Map<number, number>();
  private readonly completePages = new Set<number>();
  private watermark = -1;
  private running = 0;
  private readonly idle: Array<() => void> = [];
  private failure: unknown;
  private counters = { transactions: 0, entities: 0, retries: 0 };

  constructor(
    private readonly tables: TableService,
    private readonly route: (write: SyncWrite) => RoutedWrite,
    private readonly maxInFlight = 8,
    private readonly retry: TransactionRetry = DEFAULT_TRANSACTION_RETRY,
    /** Told of each table once a transaction of its rows is stored (caches of those rows start again). */
    private readonly stored: (table: string) => void = () => undefined,
  ) {}

  /** Transactions sent (retries included), entities stored, and tries repeated after a transient failure. */
  get stats(): { transactions: number; entities: number; retries: number } {
    return { ...this.counters };
  }

  get committedPage(): number {
    return this.watermark;
  }

  async add(write: SyncWrite, page: number): Promise<void> {
    this.throwIfFailed();
    const routed = this.route(write);
    const key = `${routed.table}\u0000${routed.partitionKey}`;
    let buffer = this.buffers.get(key);
    if (buffer === undefined) {
      buffer = { table: routed.table, partitionKey: routed.partitionKey, rows: new Map() };
      this.buffers.set(key, buffer);
    }
    const existing = buffer.rows.get(routed.rowKey);
    if (existing !== undefined) {
      // One transaction may not touch a row twice: the later write wins and carries both pages.
      existing.action = routed.action;
      existing.pages.push(page);
    } else {
      buffer.rows.set(routed.rowKey, { action: routed.action, pages: [page] });
    }
    this.pending.set(page, (this.pending.get(page) ?? 0) + 1);
    if (buffer.rows.size >= MAX_BATCH) await this.startFlush(buffer);
  }

  pageComplete(page: number): void {
    this.completePages.add(page);
    this.advance();
  }

  async settle(): Promise<void> {
    await Promise.all([...this.buffers.values()].map((b) => b.inFlight ?? Promise.resolve()));
    this.throwIfFailed();
    this.advance();
  }

  async flush(): Promise<void> {
    for (const buffer of this.buffers.values()) {
      if (buffer.rows.size > 0) await this.startFlush(buffer);
    }
    while (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await Promise.all([...this.buffers.values()].map((b) => b.inFlight ?? Promise.resolve()));
    this.throwIfFailed();
    this.advance();
  }

  private async startFlush(buffer: PartitionBuffer): Promise<void> {
    while (this.running >= this.maxInFlight) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.throwIfFailed();
    const rows = buffer.rows;
    buffer.rows = new Map();
    const previous = buffer.inFlight;
    this.running++;
    const run = (async () => {
      try {
        if (previous !== undefined) await previous;
        await this.submit(buffer.table, buffer.partitionKey, rows);
        this.stored(buffer.table);
        for (const entry of rows.values()) for (const page of entry.pages) this.written(page);
        this.advance();
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.running--;
        this.idle.shift()?.();
      }
    })();
    buffer.inFlight = run;
  }

  private async submit(table: string, partitionKey: string, rows: Map<string, Buffered>): Promise<void> {
    const client = await this.tables.table(table);
    const actions = [...rows.values()].map((r) => r.action);
    try {
      await this.transaction(client, actions);
    } catch (error) {
      // A delete of a row that is already gone fails the whole transaction: redo it one by one.
      if (!actions.some((a) => a[0] === "delete") || storageStatus(error) !== 404) throw error;
      await this.oneByOne(client, actions);
    }
    this.counters.entities += actions.length;
    void partitionKey;
  }

  /** One transaction, tried again after transient failures until `retry.attempts` tries are spent. */
  private async transaction(client: TableClient, actions: TransactionAction[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.counters.transactions++;
      try {
        await client.submitTransaction(actions);
        return;
      } catch (error) {
        if (attempt >= this.retry.attempts || !transient(error)) throw error;
        this.counters.retries++;
        await this.retry.sleep(backoffDelay(this.retry.backoff, attempt, this.retry.random));
      }
    }
  }

  private async oneByOne(client: TableClient, actions: TransactionAction[]): Promise<void> {
    for (const action of actions) {
      try {
        await this.transaction(client, [action]);
      } catch (error) {
        if (!(action[0] === "delete" && storageStatus(error) === 404)) throw error;
      }
    }
  }

  private written(page: number): void {
    const left = (this.pending.get(page) ?? 1) - 1;
    if (left <= 0) this.pending.delete(page);
    else this.pending.set(page, left);
  }

  private advance(): void {
    while (this.completePages.has(this.watermark + 1) && !this.pending.has(this.watermark + 1)) {
      this.completePages.delete(this.watermark + 1);
      this.watermark++;
    }
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    if (this.failure instanceof AppError) throw this.failure;
    throw new AppError("dependency-unavailable", "Table Storage refused a sync write.", {
      retryable: true,
      cause: this.failure,
    });
  }
}

// eslint-disable-next-line no-control-regex
const UNSAFE_KEY_CHARS = /[/\\#?%\u0000-\u001f\u007f-\u009f]/g;

/** Row and partition keys may not hold / \ # ? or control characters: percent-encode those. */
export function safeKey(value: string): string {
  return value.replace(UNSAFE_KEY_CHARS, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function unsafeKey(value: string): string {
  return value.replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

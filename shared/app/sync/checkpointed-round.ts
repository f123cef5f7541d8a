import { isGraphCallError } from "../../domain/integration/graph-call-error";
import type { SyncKind } from "../../domain/sync/sync-kinds";
import type { GraphPage } from "../ports/m365-gateways";
import type { SyncCursor, SyncStateStore } from "../ports/sync-state-store";
import type { SyncWriter } from "../ports/sync-store";
import { readAhead } from "./read-ahead";

export interface RoundHandlers<T> {
  /** Called once before a full round reads its first page (load fingerprints to compare with). */
  beginFull(): Promise<void>;
  /** Adds the page's writes to the writer; resolves to how many writes it queued. */
  page(items: readonly T[], page: number, full: boolean, writer: SyncWriter): Promise<number>;
  /**
   * After a full round: sweep what Graph no longer has. Not after a resumed round, which cannot tell
   * the unchanged entities it saw before the crash from those gone (the sweep waits for the next one).
   */
  endFull(writer: SyncWriter, page: number): Promise<number>;
}

export interface RoundOptions<T> {
  readonly kind: SyncKind;
  readonly stream: string;
  readonly state: SyncStateStore;
  readonly writer: () => SyncWriter;
  readonly open: (from?: string) => AsyncIterable<GraphPage<T>>;
  readonly handlers: RoundHandlers<T>;
  readonly now: () => Date;
  readonly onCheckpoint: (pagesRead: number, itemsRead: number, written: number) => Promise<void>;
  readonly log?: (message: string) => void;
}

export interface RoundResult {
  readonly full: boolean;
  readonly resumed: boolean;
  readonly resynced: boolean;
  readonly pages: number;
  readonly read: number;
  readonly written: number;
  readonly swept: number;
  readonly transactions: number;
}

/**
 * One delta round of a stream (users or groups), page by page, with crash-resume: after the writes of
 * page n are all stored, the cursor records the link of page n+1, so a run that dies resumes there
 * (re-reading at most the pages after the checkpoint; writes are idempotent upserts). A completed
 * round stores the delta link. An expired token (410 / syncStateNotFound) restarts as a full round.
 */
export async function runCheckpointedRound<T>(options: RoundOptions<T>): Promise<RoundResult> {
  const cursor = await options.state.cursor(options.kind, options.stream);
  try {
    return await consume(options, cursor, false);
  } catch (error) {
    if (!(isGraphCallError(error) && error.deltaExpired)) throw error;
    options.log?.(
      `${options.kind}/${options.stream}: delta state expired (request ${error.graphRequestId ?? "-"}); full resync`,
    );
    await options.state.saveCursor(options.kind, {
      stream: options.stream,
      phase: "full",
      pagesCommitted: 0,
      ...(cursor?.sweepPending === true ? { sweepPending: true } : {}),
      updatedAt: options.now().toISOString(),
    });
    return consume(options, undefined, true);
  }
}

async function consume<T>(
  options: RoundOptions<T>,
  cursor: SyncCursor | undefined,
  resynced: boolean,
): Promise<RoundResult> {
  const { kind, stream, state, handlers } = options;
  const resumed = cursor?.resumeLink !== undefined;
  const full = resumed ? cursor?.phase === "full" : cursor?.deltaLink === undefined;
  const from = cursor?.resumeLink ?? cursor?.deltaLink;
  const baseCommitted = resumed ? (cursor?.pagesCommitted ?? 0) : 0;
  const phase: SyncCursor["phase"] = full ? "full" : "incremental";
  const canSweep = full && !resumed;
  const sweepPending = (cursor?.sweepPending === true || (full && resumed)) && !canSweep;
  if (full) await handlers.beginFull();

  const writer = options.writer();
  const links = new Map<number, string>();
  let checkpointed = -1;
  let pages = 0;
  let read = 0;
  let written = 0;
  let deltaLink: string | undefined;

  const checkpoint = async (): Promise<void> => {
    await writer.settle();
    const committed = writer.committedPage;
    const link = links.get(committed);
    if (committed <= checkpointed || link === undefined) return;
    await state.saveCursor(kind, {
      stream,
      phase,
      resumeLink: link,
      pagesCommitted: baseCommitted + committed + 1,
      ...(sweepPending ? { sweepPending } : {}),
      updatedAt: options.now().toISOString(),
    });
    for (const page of links.keys()) if (page <= committed) links.delete(page);
    checkpointed = committed;
    await options.onCheckpoint(pages, read, written);
  };

  for await (const page of readAhead(options.open(from))) {
    const index = pages++;
    read += page.items.length;
    written += await handlers.page(page.items, index, full, writer);
    writer.pageComplete(index);
    if (page.nextLink !== undefined) links.set(index, page.nextLink);
    if (page.deltaLink !== undefined) deltaLink = page.deltaLink;
    await checkpoint();
  }
  await writer.flush();
  let swept = 0;
  if (canSweep) {
    swept = await handlers.endFull(writer, pages);
    writer.pageComplete(pages);
    await writer.flush();
  }
  await state.saveCursor(kind, {
    stream,
    phase: "incremental",
    ...(deltaLink === undefined ? {} : { deltaLink }),
    pagesCommitted: baseCommitted + pages,
    ...(sweepPending ? { sweepPending } : {}),
    updatedAt: options.now().toISOString(),
  });
  await options.onCheckpoint(pages, read, written + swept);
  return {
    full,
    resumed,
    resynced,
    pages,
    read,
    written: written + swept,
    swept,
    transactions: writer.stats.transactions,
  };
}

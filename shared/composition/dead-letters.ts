import {
  listDeadLetters as listDeadLettersUseCase,
  type DeadLetterListing,
} from "../app/dead-letters/list-dead-letters";
import {
  replayDeadLetter as replayDeadLetterUseCase,
  type ReplayResult,
} from "../app/dead-letters/replay-dead-letter";
import type { DeadLetterStore } from "../app/ports/dead-letter-store";
import type { WorkQueue } from "../app/ports/work-queue";
import { perWorker } from "./services";

/** The largest page GET /api/admin/dead-letters serves. */
export { MAX_DEAD_LETTER_PAGE } from "../app/dead-letters/list-dead-letters";

/** Failed work: the queue consumers' retry and dead-letter ports, and the admin's view and replay. */

const deadLetterDeps = perWorker((s) => ({
  store: s.deadLetters,
  broker: s.brokerDeadLetters,
  workQueue: s.workQueue,
  replays: s.deadLetterReplays,
  now: s.now,
}));

/** What every queue consumer needs to retry or dead-letter its work (functions/lib/queue.ts). */
export const queueWork = perWorker(
  (
    s,
  ): { readonly workQueue: WorkQueue; readonly deadLetters: DeadLetterStore; readonly now: () => Date } => ({
    workQueue: s.workQueue,
    deadLetters: s.deadLetters,
    now: s.now,
  }),
);

export const listDeadLetters = (
  query: Parameters<typeof listDeadLettersUseCase>[1],
): Promise<DeadLetterListing> => listDeadLettersUseCase(deadLetterDeps(), query);

export const replayDeadLetter = (id: string): Promise<ReplayResult> =>
  replayDeadLetterUseCase(deadLetterDeps(), id);

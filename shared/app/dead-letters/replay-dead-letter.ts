import { AppError } from "../../domain/errors";
import type { BrokerDeadLetterQueue } from "../ports/broker-dead-letters";
import type { DeadLetterReplayLog } from "../ports/dead-letter-replay-log";
import type { DeadLetterStore } from "../ports/dead-letter-store";
import type { QueueName, WorkQueue } from "../ports/work-queue";
import { parseDeadLetterId } from "./dead-letter-id";

export interface ReplayDeadLetterDependencies {
  readonly store: Pick<DeadLetterStore, "get" | "removeIfUnchanged">;
  readonly broker: Pick<BrokerDeadLetterQueue, "take">;
  readonly workQueue: WorkQueue;
  readonly replays: DeadLetterReplayLog;
  readonly now: () => Date;
}

export interface ReplayResult {
  readonly id: string;
  readonly queue: QueueName;
  readonly messageId: string;
  readonly outcome: "replayed";
}

/**
 * Puts a dead letter back on its queue as attempt 1 with its own message id (consumers' idempotency
 * still holds), then removes it from where it was: enqueue first, remove after, so a failure in
 * between leaves a duplicate, never a loss. `not-found` for an unknown id, `conflict` when it was
 * replayed already (or a replay of it is under way).
 */
export async function replayDeadLetter(
  deps: ReplayDeadLetterDependencies,
  id: string,
): Promise<ReplayResult> {
  const ref = parseDeadLetterId(id);
  if (ref === undefined) throw notFound();

  if (ref.source === "store") {
    const letter = await deps.store.get(ref.queue, ref.messageId);
    if (letter === undefined) return gone(deps, id);
    await deps.workQueue.enqueue(ref.queue, {
      id: letter.messageId,
      body: letter.body,
      attempt: 1,
      replayed: true,
    });
    await deps.replays.recordReplayed(id, deps.now());
    // `changed`: the replayed work already failed again and was recorded afresh; that row stays.
    if ((await deps.store.removeIfUnchanged(letter)) === "gone") throw alreadyReplayed();
    return { id, queue: ref.queue, messageId: letter.messageId, outcome: "replayed" };
  }

  let messageId = "";
  const taken = await deps.broker.take(ref.queue, ref.sequenceNumber, async (letter) => {
    messageId = letter.messageId === "" ? `dead-letter-${ref.queue}-${ref.sequenceNumber}` : letter.messageId;
    await deps.workQueue.enqueue(ref.queue, { id: messageId, body: letter.body, attempt: 1, replayed: true });
    await deps.replays.recordReplayed(id, deps.now());
  });
  if (taken === "not-found") return gone(deps, id);
  if (taken === "busy")
    throw new AppError("conflict", "This dead letter is being replayed right now; look again shortly.");
  return { id, queue: ref.queue, messageId, outcome: "replayed" };
}

async function gone(deps: ReplayDeadLetterDependencies, id: string): Promise<never> {
  if ((await deps.replays.replayedAt(id)) !== undefined) throw alreadyReplayed();
  throw notFound();
}

const notFound = (): AppError => new AppError("not-found", "There is no such dead letter.");
const alreadyReplayed = (): AppError => new AppError("conflict", "This dead letter was replayed already.");

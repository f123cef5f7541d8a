import { z } from "zod";
import { AppError } from "../../domain/errors";
import type { BrokerDeadLetter, BrokerDeadLetterQueue } from "../ports/broker-dead-letters";
import type { DeadLetter, DeadLetterStore } from "../ports/dead-letter-store";
import { queueNames, type QueueName } from "../ports/work-queue";
import { summarizeBody, type DeadLetterSummary } from "./body-summary";
import { deadLetterId } from "./dead-letter-id";

export interface ListDeadLettersDependencies {
  readonly store: Pick<DeadLetterStore, "page">;
  readonly broker: Pick<BrokerDeadLetterQueue, "peek">;
}

/** A dead letter as an admin sees it: where it failed and why, never the message body. */
export interface DeadLetterView {
  readonly id: string;
  /** `store`: recorded by the app (permanent failure, exhausted retries); `broker`: Service Bus gave up. */
  readonly source: "store" | "broker";
  readonly queue: QueueName;
  readonly messageId: string;
  readonly reason: string;
  readonly description: string;
  readonly attempts: number;
  /** ISO time it failed (for broker letters: when the message was enqueued). */
  readonly failedAt: string;
  readonly summary?: DeadLetterSummary;
}

export interface DeadLetterListing {
  readonly items: DeadLetterView[];
  /** Pass back as `continuation` for the next page; absent on the last page. */
  readonly continuation?: string;
}

export const MAX_DEAD_LETTER_PAGE = 100;
const MAX_TEXT = 500;
/** Source reads per request at most, so a sparse source cannot keep one request busy. */
const MAX_READS = 10;

const cursorSchema = z.union([
  z.object({ p: z.literal("store"), t: z.string().min(1).max(4096).optional() }),
  z.object({ p: z.literal("bus"), q: z.enum(queueNames), s: z.string().regex(/^[1-9][0-9]{0,18}$/) }),
]);
type Cursor = z.output<typeof cursorSchema>;

/**
 * The failed work of both places, store letters first, then each queue's broker dead-letter sub-queue
 * in sequence order: at most `limit` per page, with a continuation token while more may follow.
 */
export async function listDeadLetters(
  deps: ListDeadLettersDependencies,
  query: { queue?: QueueName; limit: number; continuation?: string },
): Promise<DeadLetterListing> {
  const queues: QueueName[] = query.queue === undefined ? [...queueNames] : [query.queue];
  let cursor: Cursor | undefined =
    query.continuation === undefined ? { p: "store" } : decodeCursor(query.continuation, queues);
  const items: DeadLetterView[] = [];
  for (let reads = 0; cursor !== undefined && items.length < query.limit && reads < MAX_READS; reads++) {
    const remaining = query.limit - items.length;
    if (cursor.p === "store") {
      const page = await deps.store.page({
        ...(query.queue === undefined ? {} : { queue: query.queue }),
        limit: remaining,
        ...(cursor.t === undefined ? {} : { continuation: cursor.t }),
      });
      items.push(...page.letters.slice(0, remaining).map(storeView));
      cursor = page.continuation === undefined ? busStart(queues[0]) : { p: "store", t: page.continuation };
    } else {
      const queue: QueueName = cursor.q;
      const letters = await deps.broker.peek(queue, BigInt(cursor.s), remaining);
      const last = letters.at(-1);
      items.push(...letters.slice(0, remaining).map(brokerView));
      cursor =
        last === undefined
          ? busStart(queues[queues.indexOf(queue) + 1])
          : { p: "bus", q: queue, s: (last.sequenceNumber + 1n).toString() };
    }
  }
  return { items, ...(cursor === undefined ? {} : { continuation: encodeCursor(cursor) }) };
}

function busStart(queue: QueueName | undefined): Cursor | undefined {
  return queue === undefined ? undefined : { p: "bus", q: queue, s: "1" };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

function decodeCursor(token: string, queues: readonly QueueName[]): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (!cursor.success || (cursor.data.p === "bus" && !queues.includes(cursor.data.q)))
    throw new AppError("validation-failed", "The continuation token is not valid for this query.", {
      fields: [{ path: "continuation", message: "not a token this listing returned" }],
    });
  return cursor.data;
}

function storeView(letter: DeadLetter): DeadLetterView {
  const summary = summarizeBody(letter.queue, letter.body);
  return {
    id: deadLetterId({ source: "store", queue: letter.queue, messageId: letter.messageId }),
    source: "store",
    queue: letter.queue,
    messageId: letter.messageId,
    reason: letter.reason.slice(0, MAX_TEXT),
    description: letter.description.slice(0, MAX_TEXT),
    attempts: letter.attempts,
    failedAt: letter.failedAt.toISOString(),
    ...(summary === undefined ? {} : { summary }),
  };
}

function brokerView(letter: BrokerDeadLetter): DeadLetterView {
  const summary = summarizeBody(letter.queue, letter.body);
  return {
    id: deadLetterId({ source: "bus", queue: letter.queue, sequenceNumber: letter.sequenceNumber }),
    source: "broker",
    queue: letter.queue,
    messageId: letter.messageId,
    reason: letter.reason.slice(0, MAX_TEXT),
    description: letter.description.slice(0, MAX_TEXT),
    attempts: letter.deliveryCount,
    failedAt: letter.enqueuedAt.toISOString(),
    ...(summary === undefined ? {} : { summary }),
  };
}

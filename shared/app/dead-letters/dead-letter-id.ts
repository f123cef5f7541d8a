import { queueNames, type QueueName } from "../ports/work-queue";

/**
 * Where a dead letter is kept: the app's dead-letter store (permanent failures, exhausted retries) or
 * the Service Bus dead-letter sub-queue of a queue (messages the broker gave up on).
 */
export type DeadLetterRef =
  | { readonly source: "store"; readonly queue: QueueName; readonly messageId: string }
  | { readonly source: "bus"; readonly queue: QueueName; readonly sequenceNumber: bigint };

/**
 * The stable, URL-safe id of a dead letter: `store:{queue}:{base64url(message id)}` or
 * `bus:{queue}:{sequence number}`. Sequence numbers are never reused, and a store letter keeps its id
 * for as long as its row exists.
 */
export function deadLetterId(ref: DeadLetterRef): string {
  return ref.source === "store"
    ? `store:${ref.queue}:${Buffer.from(ref.messageId, "utf8").toString("base64url")}`
    : `bus:${ref.queue}:${ref.sequenceNumber.toString()}`;
}

/** The reference an id names, or undefined when it is not one of ours. */
export function parseDeadLetterId(id: string): DeadLetterRef | undefined {
  const match = /^(store|bus):([a-z-]+):([A-Za-z0-9_-]{1,1400})$/.exec(id);
  if (match === null) return undefined;
  const [, source, queue, key] = match as unknown as [string, "store" | "bus", string, string];
  if (!(queueNames as readonly string[]).includes(queue)) return undefined;
  const q = queue as QueueName;
  if (source === "bus") {
    if (!/^[1-9][0-9]{0,18}$/.test(key)) return undefined;
    const sequenceNumber = BigInt(key);
    return sequenceNumber <= 0x7fffffffffffffffn ? { source, queue: q, sequenceNumber } : undefined;
  }
  const messageId = Buffer.from(key, "base64url").toString("utf8");
  // Only the canonical encoding names the letter: one letter, one id.
  if (messageId === "" || deadLetterId({ source, queue: q, messageId }) !== id) return undefined;
  return { source, queue: q, messageId };
}

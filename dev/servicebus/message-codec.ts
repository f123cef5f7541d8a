import { generate_uuid, message as amqpMessage, string_to_uuid, types, uuid_to_string } from "rhea";
import type { Message } from "rhea";

const decode = (bytes: Buffer): Message => amqpMessage.decode(bytes) as unknown as Message;

/**
 * Wire-format helpers for the local Service Bus broker: batch decoding, lock-token byte order,
 * the Service Bus message annotations the SDK reads, and tolerant readers for values that rhea
 * decodes in more than one shape (a 64-bit long arrives as a number or as an 8-byte buffer).
 */

/** AMQP message-format Service Bus uses for batches: the outer message's data sections each hold one encoded message. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** Largest message Service Bus Standard accepts (256 KiB). Announced as `max_message_size` on the attach. */
export const MAX_MESSAGE_SIZE_BYTES = 256 * 1024;

/** Message annotation keys set or read by Service Bus. */
export const Annotation = {
  lockedUntil: "x-opt-locked-until",
  sequenceNumber: "x-opt-sequence-number",
  enqueuedTime: "x-opt-enqueued-time",
  scheduledEnqueueTime: "x-opt-scheduled-enqueue-time",
  messageState: "x-opt-message-state",
  deadLetterSource: "x-opt-deadletter-source",
} as const;

/** Values of `x-opt-message-state`, as Service Bus reports them on peeked messages. */
export const MessageStateCode = { active: 0, deferred: 1, scheduled: 2 } as const;

/**
 * Splits one incoming transfer into the messages it carries. A plain transfer (format 0) was
 * already decoded by rhea; a batch transfer (format 0x80013700) arrives as raw bytes whose outer
 * message has one data section per inner encoded message.
 */
export function decodeTransfer(format: number | undefined, payload: unknown): Message[] {
  if (format === undefined || format === 0) {
    return [payload as Message];
  }
  if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(payload)) {
    throw new Error(`unsupported message format ${String(format)}`);
  }
  const outer = decode(payload);
  const body = outer.body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  if (body === undefined || body.typecode !== 0x75) {
    return [];
  }
  const sections = body.multiple === true ? (body.content as unknown[]) : [body.content];
  return sections.filter((s): s is Buffer => Buffer.isBuffer(s)).map((s) => decode(s));
}

/**
 * Service Bus puts a lock token on the wire as the delivery tag in .NET `Guid.ToByteArray()` order
 * (the first three groups little-endian). The SDK reverses those groups to print the GUID, and
 * sends the printed GUID back in `$management` requests in network order. This swaps between the two.
 */
export function swapGuidByteOrder(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const order = [3, 2, 1, 0, 5, 4, 7, 6];
  order.forEach((from, to) => {
    out[to] = bytes[from] ?? 0;
  });
  return out;
}

/** A fresh lock token as the GUID string the SDK will expose as `message.lockToken`. */
export function newLockToken(): string {
  return generate_uuid();
}

/** The delivery tag that makes the SDK report `lockToken` as the given GUID string. */
export function lockTokenToDeliveryTag(lockToken: string): Buffer {
  return swapGuidByteOrder(string_to_uuid(lockToken));
}

/** Reads a lock token from a `$management` request (uuid bytes in network order, or a string). */
export function readLockToken(value: unknown): string | undefined {
  if (Buffer.isBuffer(value) && value.length === 16) return uuid_to_string(value);
  if (typeof value === "string") return value.toLowerCase();
  return undefined;
}

/** Reads a 64-bit integer that rhea decoded as a number, or as 8 big-endian bytes when it is large. */
export function readLong(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0));
  return undefined;
}

/** Reads a list-valued body field that may arrive as an AMQP list, an AMQP array or a single value. */
export function readList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Reads a timestamp annotation (rhea gives a Date; a number is taken as epoch milliseconds). */
export function readTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  return undefined;
}

/** Wraps a sequence number as an AMQP long, as Service Bus sends it. */
export function wrapLong(value: number): unknown {
  return types.wrap_long(value);
}

/** Wraps a lock token as an AMQP uuid in network order (the form `$management` responses carry). */
export function wrapLockToken(lockToken: string): unknown {
  return types.wrap_uuid(string_to_uuid(lockToken));
}

/** Encodes a message to bytes, as carried inside `$management` request and response bodies. */
export function encodeMessage(message: Message): Buffer {
  return amqpMessage.encode(message);
}

/** Decodes a message from bytes carried inside a `$management` request body. */
export function decodeMessage(bytes: Buffer): Message {
  return decode(bytes);
}

/** Size of a message once encoded (used to enforce `max_message_size`). */
export function encodedSize(message: Message): number {
  return amqpMessage.encode(message).length;
}

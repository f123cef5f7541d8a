import type { Message } from "rhea";
import {
  Annotation,
  decodeMessage,
  encodeMessage,
  readList,
  readLockToken,
  readLong,
  readTime,
  wrapLockToken,
  wrapLong,
} from "./message-codec";
import type { ServiceBusQueue, SettleOutcome } from "./queue-model";

/**
 * The `<entity>/$management` request/response operations the SDK uses, answered the way Service
 * Bus answers them: application property `statusCode` (200 OK, 204 no content), and on failure
 * `errorCondition` plus `statusDescription`, which core-amqp turns into the matching
 * ServiceBusError code (410 + `com.microsoft:message-lock-lost` → MessageLockLost, …).
 */

export interface ManagementResponse {
  statusCode: number;
  body?: unknown;
  errorCondition?: string;
  statusDescription?: string;
}

/** Counts of handled operations, for tests that need to know which path the SDK took. */
export type OperationCounts = Record<string, number>;

const ok = (body?: unknown): ManagementResponse => ({ statusCode: 200, body });

const failure = (
  statusCode: number,
  errorCondition: string,
  statusDescription: string,
): ManagementResponse => ({
  statusCode,
  errorCondition,
  statusDescription,
});

const lockLost = (): ManagementResponse =>
  failure(
    410,
    "com.microsoft:message-lock-lost",
    "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.",
  );

function bodyMap(request: Message): Record<string, unknown> {
  const body: unknown = request.body;
  return body !== null && typeof body === "object" && !Buffer.isBuffer(body)
    ? (body as Record<string, unknown>)
    : {};
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Buffer.isBuffer(value) && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Maps the `disposition-status` values of `com.microsoft:update-disposition` to settlement outcomes. */
function dispositionOutcome(body: Record<string, unknown>): SettleOutcome | undefined {
  const propertiesToModify = asRecord(body["properties-to-modify"]);
  switch (body["disposition-status"]) {
    case "completed":
      return { kind: "complete" };
    case "abandoned":
      return { kind: "abandon", propertiesToModify };
    // The SDK spells it this way on the wire.
    case "defered":
    case "deferred":
      return { kind: "defer", propertiesToModify };
    case "suspended":
      return {
        kind: "deadLetter",
        reason: typeof body["deadletter-reason"] === "string" ? body["deadletter-reason"] : undefined,
        description:
          typeof body["deadletter-description"] === "string" ? body["deadletter-description"] : undefined,
        propertiesToModify,
      };
    default:
      return undefined;
  }
}

/** Handles one management request for `queue` (which may be a dead-letter sub-queue). */
export function handleManagementRequest(queue: ServiceBusQueue, request: Message): ManagementResponse {
  const operation = request.application_properties?.operation;
  const body = bodyMap(request);
  switch (operation) {
    case "com.microsoft:update-disposition": {
      const outcome = dispositionOutcome(body);
      if (outcome === undefined) {
        return failure(
          400,
          "com.microsoft:argument-error",
          `unknown disposition-status ${String(body["disposition-status"])}`,
        );
      }
      const tokens = readList(body["lock-tokens"]).map(readLockToken);
      // Service Bus settles each token; one lost lock fails the request.
      let lost = false;
      for (const token of tokens) {
        if (token === undefined || !queue.settle(token, outcome)) lost = true;
      }
      return lost ? lockLost() : ok();
    }

    case "com.microsoft:renew-lock": {
      const expirations: Date[] = [];
      for (const raw of readList(body["lock-tokens"])) {
        const token = readLockToken(raw);
        const lockedUntil = token === undefined ? undefined : queue.renewLock(token);
        if (lockedUntil === undefined) return lockLost();
        expirations.push(new Date(lockedUntil));
      }
      return ok({ expirations });
    }

    case "com.microsoft:peek-message": {
      const from = readLong(body["from-sequence-number"]) ?? 1;
      const count = typeof body["message-count"] === "number" ? body["message-count"] : 1;
      const messages = queue.peek(from, Math.max(1, count));
      // Service Bus answers an empty peek with 204 and no body.
      if (messages.length === 0) return { statusCode: 204 };
      return ok({ messages: messages.map((m) => ({ message: encodeMessage(m) })) });
    }

    case "com.microsoft:schedule-message": {
      const sequenceNumbers: unknown[] = [];
      for (const raw of readList(body.messages)) {
        const entry = asRecord(raw);
        const bytes = entry?.message;
        if (!Buffer.isBuffer(bytes)) {
          return failure(
            400,
            "com.microsoft:argument-error",
            "schedule-message: each entry needs an encoded message",
          );
        }
        const message = decodeMessage(bytes);
        const at = readTime(message.message_annotations?.[Annotation.scheduledEnqueueTime]) ?? Date.now();
        sequenceNumbers.push(wrapLong(queue.schedule(message, at)));
      }
      return ok({ "sequence-numbers": sequenceNumbers });
    }

    case "com.microsoft:cancel-scheduled-message": {
      for (const raw of readList(body["sequence-numbers"])) {
        const sequenceNumber = readLong(raw);
        if (sequenceNumber !== undefined) queue.cancelScheduled(sequenceNumber);
      }
      return ok();
    }

    case "com.microsoft:receive-by-sequence-number": {
      const sequenceNumbers = readList(body["sequence-numbers"])
        .map(readLong)
        .filter((n): n is number => n !== undefined);
      // receiver-settle-mode 0 is receiveAndDelete, 1 is peekLock.
      const mode = body["receiver-settle-mode"] === 0 ? "receiveAndDelete" : "peekLock";
      const deliveries = queue.receiveDeferred(sequenceNumbers, mode);
      if (deliveries === undefined) {
        return failure(
          404,
          "com.microsoft:message-not-found",
          "Failed to retrieve the deferred message(s) by sequence number.",
        );
      }
      return ok({
        messages: deliveries.map((d) => {
          const item: Record<string, unknown> = { message: encodeMessage(d.message) };
          if (d.lockToken !== undefined) item["lock-token"] = wrapLockToken(d.lockToken);
          return item;
        }),
      });
    }

    default:
      return failure(
        501,
        "amqp:not-implemented",
        `The operation ${String(operation)} is not supported by the local broker.`,
      );
  }
}

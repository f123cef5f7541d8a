import { createHash, randomUUID } from "node:crypto";
import { odata } from "@azure/data-tables";
import type { ExpiredRowPurge } from "../../app/ports/expired-rows";
import type { ClaimOptions, MailClaim, MailSentLog } from "../../app/ports/mail-sent-log";
import { AppError } from "../../domain/errors";
import { deleteWhere, safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

interface SentEntity {
  partitionKey: string;
  rowKey: string;
  state: "sending" | "handing-over" | "sent" | "in-doubt";
  /** When the current claim was taken (or renewed by the hand-over); for `sent`, when it was sent. */
  claimedAt: Date;
  /** The attempt that holds (or last held) the claim. */
  attemptId?: string;
  sentAt?: Date;
  providerMessageId?: string;
}

/**
 * Sent mail ids in table `mailsent`. Row key = message id; partition = the first two hex digits of its
 * hash, spreading a burst over 256 partitions. A row is `sending` (claimed), `handing-over` (the mail is
 * being handed to the service), `sent`, or `in-doubt` (a hand-over that never came back). Every change
 * of a claim is conditional on the ETag the claimant holds (insert-if-absent first), so two deliveries
 * never both hold one, and a delivery whose claim was taken over cannot go on to hand its mail over.
 */
export class TableMailSentLog implements MailSentLog, ExpiredRowPurge {
  constructor(private readonly tables: TableService) {}

  async claim(messageId: string, at: Date, leaseMs: number, options: ClaimOptions = {}): Promise<MailClaim> {
    const table = await this.tables.table("mailsent");
    const keys = keysOf(messageId);
    const attemptId = randomUUID();
    try {
      const created = await table.createEntity<SentEntity>({
        ...keys,
        state: "sending",
        claimedAt: at,
        attemptId,
      });
      return { state: "claimed", token: created.etag ?? "*", attemptId };
    } catch (error) {
      if (storageStatus(error) !== 409) throw error;
    }
    let existing;
    try {
      existing = await table.getEntity<SentEntity>(keys.partitionKey, keys.rowKey);
    } catch (error) {
      // Released between our insert and read: let the caller retry rather than race again.
      if (storageStatus(error) === 404) return { state: "busy" };
      throw error;
    }
    if (existing.state === "sent") return { state: "sent" };
    const previous = existing.attemptId ?? "";
    if (existing.state === "in-doubt" && options.resendInDoubt !== true)
      return { state: "in-doubt", attemptId: previous };
    const lapsed = new Date(existing.claimedAt).getTime() + leaseMs <= at.getTime();
    if (existing.state !== "in-doubt" && !lapsed) return { state: "busy" };
    // A lapsed hand-over may have reached the service: it is in doubt, never sent again by itself.
    const inDoubt = existing.state === "handing-over" && options.resendInDoubt !== true;
    try {
      const taken = await table.updateEntity<SentEntity>(
        inDoubt
          ? { ...keys, state: "in-doubt", claimedAt: existing.claimedAt, attemptId: previous }
          : { ...keys, state: "sending", claimedAt: at, attemptId },
        "Replace",
        { etag: existing.etag },
      );
      return inDoubt
        ? { state: "in-doubt", attemptId: previous }
        : { state: "claimed", token: taken.etag ?? "*", attemptId };
    } catch (error) {
      if (storageStatus(error) === 412) return { state: "busy" };
      throw error;
    }
  }

  async markHandingOver(messageId: string, token: string, at: Date): Promise<string> {
    const table = await this.tables.table("mailsent");
    const keys = keysOf(messageId);
    try {
      const updated = await table.updateEntity<
        Partial<SentEntity> & { partitionKey: string; rowKey: string }
      >({ ...keys, state: "handing-over", claimedAt: at }, "Merge", { etag: token });
      return updated.etag ?? "*";
    } catch (error) {
      const status = storageStatus(error);
      if (status === 412 || status === 404)
        throw new AppError(
          "dependency-unavailable",
          "The send claim of this mail lapsed and was taken over; this delivery stops before sending.",
          { cause: error },
        );
      throw error;
    }
  }

  async markSent(messageId: string, at: Date, providerMessageId?: string): Promise<void> {
    const table = await this.tables.table("mailsent");
    const entity: SentEntity = {
      ...keysOf(messageId),
      state: "sent",
      claimedAt: at,
      sentAt: at,
      ...(providerMessageId === undefined ? {} : { providerMessageId }),
    };
    // Merge keeps the attempt id of the claim that sent it.
    await table.upsertEntity(entity, "Merge");
  }

  async markInDoubt(messageId: string, token: string, at: Date): Promise<void> {
    const table = await this.tables.table("mailsent");
    try {
      await table.updateEntity({ ...keysOf(messageId), state: "in-doubt", claimedAt: at }, "Merge", {
        etag: token,
      });
    } catch (error) {
      // Taken over since: the one who took it decides.
      if (storageStatus(error) !== 404 && storageStatus(error) !== 412) throw error;
    }
  }

  async release(messageId: string, token: string): Promise<void> {
    const table = await this.tables.table("mailsent");
    const keys = keysOf(messageId);
    try {
      await table.deleteEntity(keys.partitionKey, keys.rowKey, { etag: token });
    } catch (error) {
      // Gone, or taken over by another delivery since: either way it is no longer ours.
      if (storageStatus(error) !== 404 && storageStatus(error) !== 412) throw error;
    }
  }

  /**
   * Deletes rows last claimed (or sent: sending sets the claim time too) before `before`. Pass a time
   * well past any redelivery of the message (30 days), or a late duplicate would be sent again.
   */
  async purgeExpired(before: Date): Promise<number> {
    const table = await this.tables.table("mailsent");
    return deleteWhere(table, odata`claimedAt lt ${before}`);
  }
}

function keysOf(messageId: string): { partitionKey: string; rowKey: string } {
  const partitionKey = createHash("sha256").update(messageId).digest("hex").slice(0, 2);
  return { partitionKey, rowKey: safeKey(messageId) };
}

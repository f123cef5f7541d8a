import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import type { ExpiredRowPurge } from "../../app/ports/expired-rows";
import type { MailClaim, MailSentLog } from "../../app/ports/mail-sent-log";
import { deleteWhere, safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

interface SentEntity {
  partitionKey: string;
  rowKey: string;
  state: "sending" | "sent";
  claimedAt: Date;
  sentAt?: Date;
  providerMessageId?: string;
}

/**
 * Sent mail ids in table `mailsent`. Row key = message id; partition = the first two hex digits of its
 * hash, spreading a burst over 256 partitions. A row is `sending` (a claim, with its time) or `sent`.
 * Claims use the table's optimistic concurrency: insert-if-absent, and take-over of a lapsed claim
 * only with the ETag read, so two deliveries never both hold one.
 */
export class TableMailSentLog implements MailSentLog, ExpiredRowPurge {
  constructor(private readonly tables: TableService) {}

  async claim(messageId: string, at: Date, leaseMs: number): Promise<MailClaim> {
    const table = await this.tables.table("mailsent");
    const keys = keysOf(messageId);
    try {
      const created = await table.createEntity<SentEntity>({ ...keys, state: "sending", claimedAt: at });
      return { state: "claimed", token: created.etag ?? "*" };
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
    if (new Date(existing.claimedAt).getTime() + leaseMs > at.getTime()) return { state: "busy" };
    try {
      const taken = await table.updateEntity<SentEntity>(
        { ...keys, state: "sending", claimedAt: at },
        "Replace",
        { etag: existing.etag },
      );
      return { state: "claimed", token: taken.etag ?? "*" };
    } catch (error) {
      if (storageStatus(error) === 412) return { state: "busy" };
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
    await table.upsertEntity(entity, "Replace");
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

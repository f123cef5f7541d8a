import { odata, type TableEntityResult } from "@azure/data-tables";
import type { DeadLetter, DeadLetterPage, DeadLetterStore } from "../../app/ports/dead-letter-store";
import type { QueueName } from "../../app/ports/work-queue";
import { safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

interface DeadLetterEntity {
  partitionKey: string;
  rowKey: string;
  /** The message id as sent (the row key is its table-safe form). */
  messageId?: string;
  reason: string;
  description: string;
  attempts: number;
  failedAt: Date;
  body: string;
}

/** Dead letters in table `deadletters`: one partition per queue, row key = message id. */
export class TableDeadLetterStore implements DeadLetterStore {
  constructor(private readonly tables: TableService) {}

  async record(letter: DeadLetter): Promise<void> {
    const table = await this.tables.table("deadletters");
    const entity: DeadLetterEntity = {
      partitionKey: letter.queue,
      rowKey: safeKey(letter.messageId),
      messageId: letter.messageId,
      reason: letter.reason,
      description: letter.description,
      attempts: letter.attempts,
      failedAt: letter.failedAt,
      body: JSON.stringify(letter.body ?? null),
    };
    await table.upsertEntity(entity, "Replace");
  }

  async list(options: { queue?: QueueName; limit?: number } = {}): Promise<DeadLetter[]> {
    const table = await this.tables.table("deadletters");
    const filter = options.queue === undefined ? undefined : odata`PartitionKey eq ${options.queue}`;
    const limit = options.limit ?? 100;
    const letters: DeadLetter[] = [];
    for await (const entity of table.listEntities<DeadLetterEntity>({ queryOptions: { filter } })) {
      letters.push(fromEntity(entity));
      if (letters.length >= limit) break;
    }
    return letters;
  }

  async page(options: { queue?: QueueName; limit: number; continuation?: string }): Promise<DeadLetterPage> {
    const table = await this.tables.table("deadletters");
    const filter = options.queue === undefined ? undefined : odata`PartitionKey eq ${options.queue}`;
    const pages = table.listEntities<DeadLetterEntity>({ queryOptions: { filter } }).byPage({
      maxPageSize: options.limit,
      ...(options.continuation === undefined ? {} : { continuationToken: options.continuation }),
    });
    const first = await pages.next();
    if (first.done === true) return { letters: [] };
    const page = first.value;
    return {
      letters: page.map(fromEntity),
      ...(page.continuationToken === undefined ? {} : { continuation: page.continuationToken }),
    };
  }

  async get(queue: QueueName, messageId: string): Promise<DeadLetter | undefined> {
    const table = await this.tables.table("deadletters");
    try {
      return fromEntity(await table.getEntity<DeadLetterEntity>(queue, safeKey(messageId)));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async remove(queue: QueueName, messageId: string): Promise<void> {
    const table = await this.tables.table("deadletters");
    await table.deleteEntity(queue, safeKey(messageId)).catch((error: unknown) => {
      if (storageStatus(error) !== 404) throw error;
    });
  }

  async removeIfUnchanged(letter: DeadLetter): Promise<"removed" | "gone" | "changed"> {
    const table = await this.tables.table("deadletters");
    try {
      await table.deleteEntity(letter.queue, safeKey(letter.messageId), { etag: letter.version ?? "*" });
      return "removed";
    } catch (error) {
      if (storageStatus(error) === 404) return "gone";
      if (storageStatus(error) === 412) return "changed";
      throw error;
    }
  }
}

function fromEntity(e: TableEntityResult<DeadLetterEntity>): DeadLetter {
  return {
    queue: e.partitionKey as QueueName,
    messageId: e.messageId ?? e.rowKey,
    reason: e.reason,
    description: e.description,
    attempts: e.attempts,
    failedAt: new Date(e.failedAt),
    body: JSON.parse(e.body) as unknown,
    version: e.etag,
  };
}

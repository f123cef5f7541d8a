import type { TableEntityResult } from "@azure/data-tables";
import type { DeadLetter, DeadLetterStore } from "../../app/ports/dead-letter-store";
import type { QueueName } from "../../app/ports/work-queue";
import type { TableService } from "./table-service";

interface DeadLetterEntity {
  partitionKey: string;
  rowKey: string;
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
    const filter = options.queue === undefined ? undefined : `PartitionKey eq '${options.queue}'`;
    const limit = options.limit ?? 100;
    const letters: DeadLetter[] = [];
    for await (const entity of table.listEntities<DeadLetterEntity>({ queryOptions: { filter } })) {
      letters.push(fromEntity(entity));
      if (letters.length >= limit) break;
    }
    return letters;
  }

  async get(queue: QueueName, messageId: string): Promise<DeadLetter | undefined> {
    const table = await this.tables.table("deadletters");
    try {
      return fromEntity(await table.getEntity<DeadLetterEntity>(queue, safeKey(messageId)));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async remove(queue: QueueName, messageId: string): Promise<void> {
    const table = await this.tables.table("deadletters");
    await table.deleteEntity(queue, safeKey(messageId)).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    });
  }
}

function fromEntity(e: TableEntityResult<DeadLetterEntity>): DeadLetter {
  return {
    queue: e.partitionKey as QueueName,
    messageId: e.rowKey,
    reason: e.reason,
    description: e.description,
    attempts: e.attempts,
    failedAt: new Date(e.failedAt),
    body: JSON.parse(e.body) as unknown,
  };
}

/** Table keys may not contain / \ # ? or control characters. */
function safeKey(key: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be replaced
  return key.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, "_");
}

import type { TableClient, TransactionAction } from "@azure/data-tables";
import { storageStatus } from "./storage-errors";

// eslint-disable-next-line no-control-regex -- control characters are exactly what table keys may not hold
const UNSAFE_KEY_CHARS = /[/\\#?\u0000-\u001f\u007f-\u009f]/g;

/**
 * A value usable as a PartitionKey or RowKey: table keys may not hold / \ # ? or control characters,
 * so those become `_`. Not reversible: keep the original in a property when it must be read back.
 */
export function safeKey(value: string): string {
  return value.replace(UNSAFE_KEY_CHARS, "_");
}

/** Entity-group transactions hold at most 100 operations, all in one partition. */
export const MAX_TRANSACTION = 100;

const MAX_OPEN_PARTITIONS = 1_000;

/**
 * Deletes every entity of `table` that matches `filter` (build it with the `odata` tag), in
 * entity-group transactions of at most 100 deletes per partition. Rows that vanish meanwhile are
 * skipped. Returns how many rows this call deleted.
 */
export async function deleteWhere(table: TableClient, filter: string): Promise<number> {
  const buffers = new Map<string, string[]>();
  let deleted = 0;
  const flush = async (partitionKey: string, rowKeys: string[]): Promise<void> => {
    if (rowKeys.length === 0) return;
    const actions: TransactionAction[] = rowKeys.map((rowKey) => ["delete", { partitionKey, rowKey }]);
    try {
      await table.submitTransaction(actions);
      deleted += actions.length;
    } catch (error) {
      // One row already gone fails the whole transaction: delete the rest one by one.
      if (storageStatus(error) !== 404) throw error;
      for (const rowKey of rowKeys) {
        try {
          await table.deleteEntity(partitionKey, rowKey);
          deleted++;
        } catch (inner) {
          if (storageStatus(inner) !== 404) throw inner;
        }
      }
    }
  };
  const entities = table.listEntities<Record<string, never>>({
    queryOptions: { filter, select: ["PartitionKey", "RowKey"] },
  });
  for await (const entity of entities) {
    const { partitionKey, rowKey } = entity;
    if (partitionKey === undefined || rowKey === undefined) continue;
    let rows = buffers.get(partitionKey);
    if (rows === undefined) {
      rows = [];
      buffers.set(partitionKey, rows);
    }
    rows.push(rowKey);
    if (rows.length >= MAX_TRANSACTION) {
      buffers.set(partitionKey, []);
      await flush(partitionKey, rows);
    }
    // Many small partitions (one row each, as sessions): keep the buffers bounded.
    if (buffers.size >= MAX_OPEN_PARTITIONS) {
      for (const [pk, keys] of buffers) await flush(pk, keys);
      buffers.clear();
    }
  }
  for (const [partitionKey, rows] of buffers) await flush(partitionKey, rows);
  return deleted;
}

import { RestError, type TableClient, type TransactionAction } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { guardTable } from "../../../shared/adapters/tables/storage-errors";
import { TableBatchWriter, type RoutedWrite } from "../../../shared/adapters/tables/table-batch-writer";
import type { TableService } from "../../../shared/adapters/tables/table-service";
import type { SyncWrite } from "../../../shared/app/ports/sync-store";
import { roomFromPlace, roomHash } from "../../../shared/domain/rooms/room";

/**
 * Which failures of a transaction the writer tries again: those the SDK's own policy leaves to its
 * caller (a broken pipe) and storage's passing refusals, not a request storage will always refuse.
 * The client stands in for the SDK's `TableClient`, behind the same error mapping the app uses.
 */
function tablesFailing(failures: Error[]): { tables: TableService; calls: TransactionAction[][] } {
  const calls: TransactionAction[][] = [];
  const client = {
    submitTransaction(actions: TransactionAction[]) {
      calls.push(actions);
      const failure = failures.shift();
      return failure === undefined ? Promise.resolve({ status: 202 }) : Promise.reject(failure);
    },
  } as unknown as TableClient;
  const guarded = guardTable(client);
  return { tables: { table: () => Promise.resolve(guarded) } as unknown as TableService, calls };
}

const route = (write: SyncWrite): RoutedWrite => {
  const key = write.entity === "room" ? write.room.email : "x";
  return {
    table: "t",
    partitionKey: "p",
    rowKey: key,
    action: ["upsert", { partitionKey: "p", rowKey: key }],
  };
};

async function writeRooms(writer: TableBatchWriter, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const room = roomFromPlace(
      { id: `place-${i}`, emailAddress: `room-${i}@contoso.example`, displayName: `Room ${i}` },
      { lists: [], buildingZones: new Map(), defaultZone: "UTC" },
    );
    await writer.add({ entity: "room", room, hash: roomHash(room) }, 0);
  }
  writer.pageComplete(0);
  await writer.flush();
}

const retry = (delays: number[]) => ({
  attempts: 5,
  backoff: { baseDelayMs: 200, maxDelayMs: 1_000 },
  sleep: (ms: number) => {
    delays.push(ms);
    return Promise.resolve();
  },
  random: () => 0.5,
});

describe("the sync's table writer retry policy", () => {
  it("tries a transaction again after a broken pipe, a hang-up, a 503 and a 500", async () => {
    const failures = [
      new RestError("write EPIPE", { code: "EPIPE" }),
      new RestError("socket hang up", {}),
      new RestError("Service Unavailable", { statusCode: 503 }),
      new RestError("Internal Server Error", { statusCode: 500 }),
    ];
    const { tables, calls } = tablesFailing(failures);
    const delays: number[] = [];
    const writer = new TableBatchWriter(tables, route, 1, retry(delays));
    await writeRooms(writer, 3);
    expect(calls.length).toBe(5);
    expect(calls.every((c) => c.length === 3)).toBe(true);
    expect(delays).toEqual([150, 300, 600, 750]);
    expect(writer.stats).toEqual({ transactions: 5, entities: 3, retries: 4 });
    expect(writer.committedPage).toBe(0);
  });

  it("does not retry a request storage refuses for good (400)", async () => {
    const { tables, calls } = tablesFailing([new RestError("Bad Request", { statusCode: 400 })]);
    const delays: number[] = [];
    const writer = new TableBatchWriter(tables, route, 1, retry(delays));
    await expect(writeRooms(writer, 2)).rejects.toMatchObject({ code: "dependency-unavailable" });
    expect(calls.length).toBe(1);
    expect(delays).toEqual([]);
  });

  it("stops after the bounded number of tries", async () => {
    const broken = Array.from({ length: 10 }, () => new RestError("write EPIPE", { code: "EPIPE" }));
    const { tables, calls } = tablesFailing(broken);
    const delays: number[] = [];
    const writer = new TableBatchWriter(tables, route, 1, retry(delays));
    await expect(writeRooms(writer, 2)).rejects.toMatchObject({
      code: "dependency-unavailable",
      retryable: true,
    });
    expect(calls.length).toBe(5);
    expect(delays).toEqual([150, 300, 600, 750]);
    expect(writer.stats).toEqual({ transactions: 5, entities: 0, retries: 4 });
  });
});

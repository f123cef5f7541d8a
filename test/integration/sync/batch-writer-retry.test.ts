import { createServer, connect, type Server, type Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, inject, it } from "vitest";
import { TableService } from "../../../shared/adapters/tables/table-service";
import { TableBatchWriter, type RoutedWrite } from "../../../shared/adapters/tables/table-batch-writer";
import type { SyncWrite } from "../../../shared/app/ports/sync-store";
import { roomFromPlace, roomHash } from "../../../shared/domain/rooms/room";

/**
 * A TCP relay on 127.0.0.1 in front of Azurite that breaks the connection carrying each of the next
 * `cutBatches` `$batch` requests (both sockets destroyed mid-request: the client sees a reset or a
 * broken pipe, as when the emulator dropped a batch under load). Everything else passes through.
 */
class CuttingRelay {
  cutBatches = 0;
  cuts = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<CuttingRelay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const relay = new CuttingRelay(server, address.port);
    server.on("connection", (client) => relay.relay(client, target));
    return relay;
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    this.sockets.add(client).add(upstream);
    const forget = (s: Socket) => () => this.sockets.delete(s);
    client.on("close", forget(client));
    upstream.on("close", forget(upstream));
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("data", (chunk: Buffer) => {
      if (this.cutBatches > 0 && chunk.includes("$batch")) {
        this.cutBatches--;
        this.cuts++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Azurite's connection string with the table endpoint pointed at the relay. */
function throughRelay(connectionString: string, port: number): { cs: string; host: string; port: number } {
  const match = /TableEndpoint=http:\/\/([^:/]+):(\d+)/.exec(connectionString);
  if (match === null) throw new Error("no TableEndpoint in the connection string");
  return {
    cs: connectionString.replace(
      /TableEndpoint=http:\/\/[^:/]+:\d+/,
      `TableEndpoint=http://127.0.0.1:${port}`,
    ),
    host: match[1] ?? "127.0.0.1",
    port: Number(match[2]),
  };
}

/** Tries the Tables SDK's default retry policy makes of one call that fails with a reset (1 + 3 retries). */
const SDK_TRIES = 4;

const route = (write: SyncWrite): RoutedWrite => {
  if (write.entity !== "room") throw new Error("rooms only");
  const email = write.room.email;
  return {
    table: "retryrooms",
    partitionKey: "p",
    rowKey: email,
    action: ["upsert", { partitionKey: "p", rowKey: email, hash: write.hash }, "Replace"],
  };
};

function roomWrites(n: number): SyncWrite[] {
  return Array.from({ length: n }, (_, i) => {
    const room = roomFromPlace(
      { id: `place-${i}`, emailAddress: `room-${i}@contoso.example`, displayName: `Room ${i}` },
      { lists: [], buildingZones: new Map(), defaultZone: "UTC" },
    );
    return { entity: "room", room, hash: roomHash(room) } as const;
  });
}

describe("the sync's table writer under transport faults (Azurite behind a relay that cuts connections)", () => {
  let relay: CuttingRelay | undefined;
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  async function setUp(): Promise<{ tables: TableService; direct: TableService; relay: CuttingRelay }> {
    const azurite = inject("tablesConnectionString");
    const target = throughRelay(azurite, 0);
    relay = await CuttingRelay.start({ host: target.host, port: target.port });
    const prefix = `rt${randomUUID().slice(0, 8)}`;
    const tables = TableService.connect({ connectionString: throughRelay(azurite, relay.port).cs, prefix });
    const direct = TableService.connect({ connectionString: azurite, prefix });
    return { tables, direct, relay };
  }

  it("retries a transaction whose connection broke, with growing delays, and stores every row once", async () => {
    const { tables, direct, relay } = await setUp();
    await tables.table("retryrooms"); // created before any cut
    const delays: number[] = [];
    const writer = new TableBatchWriter(tables, route, 1, {
      attempts: 6,
      backoff: { baseDelayMs: 100, maxDelayMs: 1_000 },
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    });
    // The SDK itself tries a reset request 4 times (ECONNRESET is in its retry list; EPIPE, what
    // Azurite's broken pipe gave, is not): 4 cuts fail the first call, the 5th cut is absorbed by the
    // SDK on the writer's second try.
    relay.cutBatches = SDK_TRIES + 1;
    for (const write of roomWrites(150)) await writer.add(write, 0);
    writer.pageComplete(0);
    await writer.flush();

    expect(relay.cuts).toBe(SDK_TRIES + 1);
    expect(writer.stats).toEqual({ transactions: 2 + 1, entities: 150, retries: 1 });
    // base·2^(n-1) capped, jitter fixed at the middle of the upper half.
    expect(delays).toEqual([75]);
    expect(writer.committedPage).toBe(0);
    const stored: string[] = [];
    for await (const row of (await direct.table("retryrooms")).listEntities())
      stored.push(String(row.rowKey));
    expect(stored.length).toBe(150);
    expect(new Set(stored).size).toBe(150);
  });

  it("gives up after the bounded number of tries with a retryable dependency-unavailable", async () => {
    const { tables, relay } = await setUp();
    await tables.table("retryrooms");
    const writer = new TableBatchWriter(tables, route, 1, {
      attempts: 2,
      backoff: { baseDelayMs: 10, maxDelayMs: 100 },
      sleep: () => Promise.resolve(),
      random: () => 0,
    });
    relay.cutBatches = 1_000;
    for (const write of roomWrites(10)) await writer.add(write, 0);
    writer.pageComplete(0);
    await expect(writer.flush()).rejects.toMatchObject({ code: "dependency-unavailable", retryable: true });
    expect(relay.cuts).toBe(2 * SDK_TRIES);
    expect(writer.stats).toEqual({ transactions: 2, entities: 0, retries: 1 });
    expect(writer.committedPage).toBe(-1);
  });
});

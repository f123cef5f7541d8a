import { WebSocket, type RawData } from "ws";
import type { ScheduleSnapshot } from "../../../shared/app/ports/realtime-publisher";
import { parseSettings, type Settings } from "../../../shared/config";

/** App settings pointing Web PubSub at `connectionString` (the rest as the schema defaults them). */
export function webPubSubSettings(connectionString: string, hub = "displays"): Settings {
  return parseSettings({
    TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
    // Never reached: composition builds the queue client, which connects on first use only.
    SERVICEBUS:
      "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=k;UseDevelopmentEmulator=true",
    WEBPUBSUB_CONNECTION_STRING: connectionString,
    WEBPUBSUB_HUB: hub,
  });
}

/** A display's WebSocket: opens, and collects the frames it receives. */
export interface TestClient {
  readonly socket: WebSocket;
  readonly frames: { readonly data: string; readonly binary: boolean }[];
  /** Resolves once `count` frames arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  readonly closed: Promise<number>;
}

export async function connect(url: string): Promise<TestClient> {
  const socket = new WebSocket(url);
  const frames: { data: string; binary: boolean }[] = [];
  const waiters: (() => void)[] = [];
  socket.on("message", (data: RawData, binary: boolean) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    frames.push({ data: bytes.toString("utf8"), binary });
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return {
    socket,
    frames,
    closed,
    waitFor: (count, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${frames.length} of ${count} frames in ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = (): void => {
          if (frames.length >= count) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      }),
  };
}

/** The HTTP status a refused WebSocket upgrade answered with. */
export function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once("open", () => {
      socket.close();
      reject(new Error("the connection was accepted"));
    });
    socket.once("error", () => undefined);
  });
}

/** A room's schedule snapshot with no meetings, at `version`. */
export const emptySnapshot = (roomId: string, version: number): ScheduleSnapshot => ({
  type: "schedule",
  roomId,
  version,
  generatedAt: "2030-01-07T09:00:00.000Z",
  items: [],
});

import { WebPubSubClient } from "@azure/web-pubsub-client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { WebPubSubDisplayConnections } from "../../../shared/adapters/webpubsub/web-pubsub-display-connections";
import { shardIndex } from "../../../shared/adapters/webpubsub/web-pubsub-shards";
import { checkHealth } from "../../../shared/app/check-health";
import type { ScheduleSnapshot } from "../../../shared/app/ports/realtime-publisher";
import { realtimeFromSettings, webPubSubShardsFromSettings } from "../../../shared/composition/adapters";
import { parseSettings, type Settings } from "../../../shared/config";
import { eventually } from "../../support/eventually";
import { connect, emptySnapshot as snapshot, type TestClient } from "./harness";

/**
 * Displays spread over two local Web PubSub services (shards), with the real server SDK behind the
 * app's adapters and real WebSocket clients: each group lives on one service, chosen by its name.
 */
const services = Promise.all([startWebPubSub(), startWebPubSub()]);
afterAll(async () => {
  for (const s of await services) await s.stop();
});

const sockets: TestClient[] = [];
const clients: WebPubSubClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.socket.close();
  for (const c of clients.splice(0)) c.stop();
});

const uniqueHub = (): string => `h${Math.random().toString(36).slice(2, 10)}`;

function settingsFor(wps: readonly RunningWebPubSub[], hub: string): Settings {
  return parseSettings({
    TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
    SERVICEBUS:
      "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=k;UseDevelopmentEmulator=true",
    WEBPUBSUB_CONNECTION_STRINGS: JSON.stringify(wps.map((s) => s.connectionString)),
    WEBPUBSUB_HUB: hub,
  });
}

/** The first name `make(i)` gives that lives on `wps[index]` among `wps`. */
function nameOn(wps: readonly RunningWebPubSub[], index: number, make: (i: number) => string): string {
  const keys = wps.map((s) => new URL(s.endpoint).host);
  for (let i = 0; ; i++) if (shardIndex(make(i), keys) === index) return make(i);
}

/** A room id whose group lives on `wps[index]`. */
const roomOn = (wps: readonly RunningWebPubSub[], index: number, prefix: string): string =>
  nameOn(wps, index, (i) => `room:${prefix}${i}`).slice("room:".length);

const wsOrigin = (s: RunningWebPubSub): string => s.endpoint.replace("http:", "ws:");

describe("displays spread over two Web PubSub services", () => {
  it("each display receives exactly its room's snapshots, from its group's service only", async () => {
    const wps = await services;
    const [a, b] = wps;
    const hub = uniqueHub();
    const settings = settingsFor(wps, hub);
    const publisher = realtimeFromSettings(settings);
    const connections = new WebPubSubDisplayConnections(webPubSubShardsFromSettings(settings));
    const roomA = roomOn(wps, 0, "ra");
    const roomB = roomOn(wps, 1, "rb");
    // A floor whose group lives on A, holding room B (whose own group lives on B).
    const floorA = nameOn(wps, 0, (i) => `floor:fa${i}`).slice("floor:".length);

    const urls = {
      a: await connections.clientUrl({ userId: "display:a", groups: [`room:${roomA}`], expiresInMinutes: 5 }),
      b: await connections.clientUrl({ userId: "display:b", groups: [`room:${roomB}`], expiresInMinutes: 5 }),
      floor: await connections.clientUrl({
        userId: "display:f",
        groups: [`floor:${floorA}`],
        expiresInMinutes: 5,
      }),
    };
    expect(urls.a!.startsWith(`${wsOrigin(a)}/client/hubs/${hub}?`)).toBe(true);
    expect(urls.b!.startsWith(`${wsOrigin(b)}/client/hubs/${hub}?`)).toBe(true);
    expect(urls.floor!.startsWith(`${wsOrigin(a)}/client/hubs/${hub}?`)).toBe(true);
    const [displayA, displayB, displayFloor] = await Promise.all([
      connect(urls.a!),
      connect(urls.b!),
      connect(urls.floor!),
    ]);
    sockets.push(displayA, displayB, displayFloor);
    const sentBefore = { a: a.sent().length, b: b.sent().length };

    await publisher.publishSchedule(snapshot(roomA, 1), { floorId: null });
    await publisher.publishSchedule(snapshot(roomB, 1), { floorId: floorA });
    await publisher.publishSchedule(snapshot(roomA, 2), { floorId: null });
    await publisher.publishSchedule(snapshot(roomB, 2), { floorId: floorA });
    await Promise.all([displayA.waitFor(2), displayB.waitFor(2), displayFloor.waitFor(2)]);

    const received = (d: TestClient): unknown[] => d.frames.map((f) => JSON.parse(f.data) as unknown);
    expect(received(displayA)).toEqual([snapshot(roomA, 1), snapshot(roomA, 2)]);
    expect(received(displayB)).toEqual([snapshot(roomB, 1), snapshot(roomB, 2)]);
    expect(received(displayFloor)).toEqual([snapshot(roomB, 1), snapshot(roomB, 2)]);
    // Each service was sent only the messages of the groups living on it.
    const targets = (s: RunningWebPubSub, from: number): unknown[] =>
      s
        .sent()
        .slice(from)
        .filter((m) => m.hub === hub)
        .map((m) => [m.target, m.delivered]);
    const group = (name: string): { kind: "group"; name: string } => ({ kind: "group", name });
    expect(targets(a, sentBefore.a)).toEqual([
      [group(`room:${roomA}`), 1],
      [group(`floor:${floorA}`), 1],
      [group(`room:${roomA}`), 1],
      [group(`floor:${floorA}`), 1],
    ]);
    expect(targets(b, sentBefore.b)).toEqual([
      [group(`room:${roomB}`), 1],
      [group(`room:${roomB}`), 1],
    ]);
  });

  it("refuses a client URL whose groups live on different services", async () => {
    const wps = await services;
    const connections = new WebPubSubDisplayConnections(
      webPubSubShardsFromSettings(settingsFor(wps, "displays")),
    );
    const groups = [nameOn(wps, 0, (i) => `room:x${i}`), nameOn(wps, 1, (i) => `room:y${i}`)];
    await expect(connections.clientUrl({ userId: "display:x", groups, expiresInMinutes: 5 })).rejects.toThrow(
      /different Web PubSub instances/,
    );
  });

  it("closes a display's connections on every service", async () => {
    const wps = await services;
    const [a, b] = wps;
    const hub = uniqueHub();
    const settings = settingsFor(wps, hub);
    const connections = new WebPubSubDisplayConnections(webPubSubShardsFromSettings(settings));
    // The same device holding a connection on each service (as after its group moved).
    const connectOn = async (index: number): Promise<TestClient> =>
      connect(
        (await connections.clientUrl({
          userId: "display:z",
          groups: [nameOn(wps, index, (i) => `room:z${i}`)],
          expiresInMinutes: 5,
        }))!,
      );
    const [onA, onB] = [await connectOn(0), await connectOn(1)];
    sockets.push(onA, onB);
    const open = (s: RunningWebPubSub): number => s.connections().filter((c) => c.hub === hub).length;
    expect([open(a), open(b)]).toEqual([1, 1]);

    await connections.closeUserConnections("display:z", "The display was removed.");

    expect([await onA.closed, await onB.closed]).toEqual([1000, 1000]);
    expect([open(a), open(b)]).toEqual([0, 0]);
  });

  it("moves a display whose group moved to the new service: it reconnects there and hears its room again", async () => {
    const wps = await services;
    const [a, b] = wps;
    const hub = uniqueHub();
    // Before: service A alone. After: A and B, and the room's group lives on B.
    const before = settingsFor([a], hub);
    const after = settingsFor(wps, hub);
    const room = roomOn(wps, 1, "moved");
    let layout = before;
    const negotiated: string[] = [];
    // The display page's client, negotiating through the adapter of whichever layout the app runs.
    const display = new WebPubSubClient({
      getClientAccessUrl: async () => {
        const url = await new WebPubSubDisplayConnections(webPubSubShardsFromSettings(layout)).clientUrl({
          userId: "display:m",
          groups: [`room:${room}`],
          expiresInMinutes: 60,
        });
        negotiated.push(new URL(url!).host);
        return url!;
      },
    });
    clients.push(display);
    const heard: unknown[] = [];
    display.on("server-message", (e) => heard.push(e.message.data));
    await display.start();
    const hubConnections = (s: RunningWebPubSub): number =>
      s.connections().filter((c) => c.hub === hub).length;
    expect([hubConnections(a), hubConnections(b)]).toEqual([1, 0]);

    // The app restarts with two services; its first message to the room closes the connection on A.
    layout = after;
    const publisher = realtimeFromSettings(after);
    await publisher.publishSchedule(snapshot(room, 1));
    await eventually(() => hubConnections(b) === 1 && hubConnections(a) === 0, {
      explain: () => `A ${hubConnections(a)}, B ${hubConnections(b)}`,
    });
    await publisher.publishSchedule(snapshot(room, 2));
    await eventually(() => heard.some((h) => (h as ScheduleSnapshot).version === 2), {
      explain: () => JSON.stringify(heard),
    });

    expect(negotiated).toEqual([new URL(a.endpoint).host, new URL(b.endpoint).host]);
    // Version 1 reaches the display only if it was back before the message got to its new service;
    // otherwise the page fetches it on reopening.
    expect([[snapshot(room, 2)], [snapshot(room, 1), snapshot(room, 2)]]).toContainEqual(heard);
    // Once per group and process: a display that still reaches A later (an app worker on the old
    // layout) is not closed again by this process; it moves when the next process starts sweeping.
    const stale = await connect(
      (await new WebPubSubDisplayConnections(webPubSubShardsFromSettings(before)).clientUrl({
        userId: "display:s",
        groups: [`room:${room}`],
        expiresInMinutes: 5,
      }))!,
    );
    sockets.push(stale);
    await publisher.publishSchedule(snapshot(room, 3));
    await eventually(() => heard.some((h) => (h as ScheduleSnapshot).version === 3));
    expect(hubConnections(a)).toBe(1);
    await realtimeFromSettings(after).publishSchedule(snapshot(room, 4));
    expect(await stale.closed).toBe(1000);
    expect(stale.frames).toEqual([]);
  });
});

describe("the health probe over two services", () => {
  it("checks every service: up while both answer, down when one refuses the key or stopped", async () => {
    const own = [await startWebPubSub(), await startWebPubSub()];
    try {
      const report = async (
        wps: readonly { connectionString: string; endpoint: string }[],
      ): Promise<unknown> =>
        (
          await checkHealth(
            [realtimeFromSettings(settingsFor(wps as RunningWebPubSub[], "displays")).probe()],
            {
              version: "t",
              now: () => new Date(),
              timeoutMs: 500,
            },
          )
        ).dependencies.webPubSub;
      expect(await report(own)).toMatchObject({ status: "up", required: false });

      const wrongKey = {
        endpoint: own[1]!.endpoint,
        connectionString: own[1]!.connectionString.replace(/AccessKey=[^;]+/, "AccessKey=wrong"),
      };
      const refusals = own[1]!.refusals().length;
      expect(await report([own[0]!, wrongKey])).toMatchObject({ status: "down", required: false });
      expect(own[1]!.refusals().slice(refusals)).toEqual(["bad-signature"]);

      await own[1]!.stop();
      expect(await report(own)).toMatchObject({ status: "down", required: false });
    } finally {
      for (const s of own) await s.stop();
    }
  });
});

import { WebPubSubServiceClient } from "@azure/web-pubsub";
import {
  SendMessageError,
  WebPubSubClient,
  WebPubSubJsonProtocol,
  type WebPubSubClientOptions,
} from "@azure/web-pubsub-client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startWebPubSub } from "../../../dev/webpubsub";
import { WebPubSubRealtimePublisher } from "../../../shared/adapters/webpubsub/web-pubsub-publisher";
import type { ScheduleSnapshot } from "../../../shared/app/ports/realtime-publisher";
import { eventually } from "../../support/eventually";

/**
 * The unmodified @azure/web-pubsub-client against the local service's JSON subprotocols, with the app's
 * publisher (the server SDK) on the other side.
 */
const service = startWebPubSub();
afterAll(async () => (await service).stop());

const started: WebPubSubClient[] = [];
afterEach(() => {
  for (const client of started.splice(0)) client.stop();
});

const snapshot = (roomId: string, version: number): ScheduleSnapshot => ({
  type: "schedule",
  roomId,
  version,
  generatedAt: "2030-01-07T09:00:00.000Z",
  items: [],
});

async function serverSdk(): Promise<WebPubSubServiceClient> {
  const hub = `h${Math.random().toString(36).slice(2, 10)}`;
  return new WebPubSubServiceClient((await service).connectionString, hub, { allowInsecureConnection: true });
}

interface Watched {
  readonly client: WebPubSubClient;
  readonly connected: { connectionId: string; userId: string }[];
  readonly disconnected: (string | undefined)[];
  readonly server: unknown[];
  readonly group: { group: string; fromUserId: string; data: unknown; dataType: string }[];
  stopped: boolean;
}

function watch(url: string, options: WebPubSubClientOptions = {}): Watched {
  const client = new WebPubSubClient(url, options);
  const watched: Watched = { client, connected: [], disconnected: [], server: [], group: [], stopped: false };
  client.on("connected", (e) => watched.connected.push({ connectionId: e.connectionId, userId: e.userId }));
  client.on("disconnected", (e) => watched.disconnected.push(e.message?.message));
  client.on("server-message", (e) => watched.server.push(e.message.data));
  client.on("group-message", (e) =>
    watched.group.push({
      group: e.message.group,
      fromUserId: e.message.fromUserId,
      data: e.message.data,
      dataType: e.message.dataType,
    }),
  );
  client.on("stopped", () => (watched.stopped = true));
  started.push(client);
  return watched;
}

describe("the JSON subprotocols with the real client", () => {
  it("connects with json.webpubsub.azure.v1 and receives only its room's snapshots", async () => {
    const sdk = await serverSdk();
    const token = await sdk.getClientAccessToken({ userId: "display-1", groups: ["room:r1"] });
    const display = watch(token.url, { protocol: WebPubSubJsonProtocol() });
    await display.client.start();
    const publisher = new WebPubSubRealtimePublisher(sdk);

    await publisher.publishSchedule(snapshot("r2", 1));
    await publisher.publishSchedule(snapshot("r1", 2));
    await sdk.sendToUser("display-1", "marker", { contentType: "text/plain" });
    await eventually(() => display.server.length === 2, { explain: () => JSON.stringify(display.server) });

    expect(display.connected).toHaveLength(1);
    expect(display.connected[0]!.userId).toBe("display-1");
    const info = (await service)
      .connections()
      .find((c) => c.connectionId === display.connected[0]!.connectionId);
    expect(info?.protocol).toBe("json.webpubsub.azure.v1");
    expect(display.server).toEqual([snapshot("r1", 2), "marker"]);
  });

  it("recovers a dropped reliable connection and redelivers what it missed, once, in order", async () => {
    const wps = await service;
    const sdk = await serverSdk();
    const token = await sdk.getClientAccessToken({ userId: "display-2", groups: ["room:r1"] });
    const display = watch(token.url); // the reliable protocol is the client's default
    await display.client.start();
    const publisher = new WebPubSubRealtimePublisher(sdk);
    await publisher.publishSchedule(snapshot("r1", 1));
    await eventually(() => display.server.length === 1);
    const connectionId = display.connected[0]!.connectionId;

    wps.setOffline(true);
    await eventually(() => wps.connections().some((c) => c.connectionId === connectionId && !c.attached));
    for (const version of [2, 3, 4]) await publisher.publishSchedule(snapshot("r1", version));
    wps.setOffline(false);

    await eventually(() => display.server.length === 4, { explain: () => JSON.stringify(display.server) });
    expect(display.server.map((s) => (s as ScheduleSnapshot).version)).toEqual([1, 2, 3, 4]);
    // Recovered: the same session, no disconnected event, no second connected event.
    expect(display.connected.map((c) => c.connectionId)).toEqual([connectionId]);
    expect(display.disconnected).toEqual([]);
    const info = wps.connections().find((c) => c.connectionId === connectionId);
    expect(info).toMatchObject({
      attached: true,
      protocol: "json.reliable.webpubsub.azure.v1",
      groups: ["room:r1"],
    });
  });

  it("refuses joinGroup and sendToGroup without the role, and allows them with a group-scoped role", async () => {
    const sdk = await serverSdk();
    const plain = await sdk.getClientAccessToken({ userId: "display-3", groups: ["room:r1"] });
    // The client retries a refused request; once is enough to see the answer.
    const noRetry = { messageRetryOptions: { maxRetries: 0 } };
    const display = watch(plain.url, noRetry);
    await display.client.start();

    const refusal = async (action: Promise<unknown>): Promise<string | undefined> => {
      const error = await action.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SendMessageError);
      return (error as SendMessageError).errorDetail?.name;
    };
    expect(await refusal(display.client.joinGroup("room:r2"))).toBe("Forbidden");
    expect(await refusal(display.client.sendToGroup("room:r1", { forged: true }, "json"))).toBe("Forbidden");

    const scoped = await sdk.getClientAccessToken({
      userId: "kiosk",
      roles: ["webpubsub.joinLeaveGroup.lobby", "webpubsub.sendToGroup.lobby"],
    });
    const kiosk = watch(scoped.url, noRetry);
    await kiosk.client.start();
    expect(await refusal(kiosk.client.joinGroup("room:r1"))).toBe("Forbidden");
    await kiosk.client.joinGroup("lobby");
    await sdk.group("lobby").addConnection(display.connected[0]!.connectionId);
    await kiosk.client.sendToGroup("lobby", { hello: 1 }, "json", { noEcho: true });

    await eventually(() => display.group.length === 1);
    expect(display.group).toEqual([
      { group: "lobby", fromUserId: "kiosk", data: { hello: 1 }, dataType: "json" },
    ]);
    expect(kiosk.group).toEqual([]);
    expect(display.server).toEqual([]);
  });

  it("closes a connection through the REST API: the client is told why and is not recovered", async () => {
    const wps = await service;
    const sdk = await serverSdk();
    const token = await sdk.getClientAccessToken({ userId: "display-4", groups: ["room:r9"] });
    const display = watch(token.url, { autoReconnect: false });
    await display.client.start();

    await sdk.closeUserConnections("display-4", { reason: "revoked" });

    await eventually(() => display.stopped);
    expect(display.disconnected[0]).toBe("revoked");
    expect(wps.connections().filter((c) => c.userId === "display-4")).toEqual([]);
  });
});

import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { SignJWT } from "jose";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startWebPubSub } from "../../../dev/webpubsub";
import { WebPubSubRealtimePublisher } from "../../../shared/adapters/webpubsub/web-pubsub-publisher";
import { checkHealth } from "../../../shared/app/check-health";
import type { ScheduleSnapshot } from "../../../shared/app/ports/realtime-publisher";
import { AppError } from "../../../shared/domain/errors";
import { connect, refusedStatus, webPubSubSettings } from "./harness";
import { realtimeFromSettings } from "../../../shared/composition/adapters";
import { resetServices, servicesWith } from "../../support/services";

/** The real @azure/web-pubsub SDK and the app's publisher against the local Web PubSub service. */
const service = startWebPubSub();
afterAll(async () => (await service).stop());

const snapshot = (roomId: string, version = 1): ScheduleSnapshot => ({
  type: "schedule",
  roomId,
  version,
  generatedAt: "2030-01-07T09:00:00.000Z",
  items: [{ id: "b1", start: "2030-01-07T09:00:00.000Z", end: "2030-01-07T10:00:00.000Z", title: "Busy" }],
});

async function sdk(hub = uniqueHub()): Promise<WebPubSubServiceClient> {
  return new WebPubSubServiceClient((await service).connectionString, hub, { allowInsecureConnection: true });
}

function uniqueHub(): string {
  return `h${Math.random().toString(36).slice(2, 10)}`;
}

function withKey(connectionString: string, key: string): string {
  return connectionString.replace(/AccessKey=[^;]+/, `AccessKey=${key}`);
}

describe("the publisher", () => {
  it("sends a snapshot to the room's group and its floor's group, as JSON", async () => {
    const { connectionString } = await service;
    const hub = uniqueHub();
    const publisher = realtimeFromSettings(webPubSubSettings(connectionString, hub));
    const before = (await service).sent().length;

    await publisher.publishSchedule(snapshot("r1", 7), { floorId: "hq-3" });
    await publisher.publishSchedule(snapshot("r2"), { floorId: null });

    const sent = (await service).sent().slice(before);
    expect(sent.map((m) => [m.hub, m.target, m.contentType.split(";")[0]])).toEqual([
      [hub, { kind: "group", name: "room:r1" }, "application/json"],
      [hub, { kind: "group", name: "floor:hq-3" }, "application/json"],
      [hub, { kind: "group", name: "room:r2" }, "application/json"],
    ]);
    expect(JSON.parse(sent[0]!.body)).toEqual(snapshot("r1", 7));
  });

  it("turns a refused key into a retryable dependency-unavailable AppError", async () => {
    const { connectionString } = await service;
    const publisher = realtimeFromSettings(webPubSubSettings(withKey(connectionString, "not-the-key")));
    const refusalsBefore = (await service).refusals().length;

    const error = await publisher.publishSchedule(snapshot("r1")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "dependency-unavailable", retryable: true });
    expect((error as AppError).detail).not.toMatch(/401|key/i);
    expect(((error as AppError).cause as { statusCode?: number }).statusCode).toBe(401);
    expect((await service).refusals().slice(refusalsBefore)).toEqual(["bad-signature"]);
  });

  it("does nothing when Web PubSub is not configured, and its probe says so", async () => {
    const publisher = realtimeFromSettings(
      webPubSubSettings("Endpoint=http://127.0.0.1:1;AccessKey=k;Version=1.0;"),
    );
    expect(publisher.probe()).toMatchObject({
      name: "webPubSub",
      required: false,
      check: expect.any(Function),
    });
    const none = new WebPubSubRealtimePublisher(undefined);
    await expect(none.publishSchedule(snapshot("r1"))).resolves.toBeUndefined();
    expect(none.probe()).toMatchObject({ name: "webPubSub", required: false, check: undefined });
  });
});

describe("a display's connection", () => {
  it("receives the snapshot for its room and not another room's", async () => {
    const client = await sdk();
    const token = await client.getClientAccessToken({ userId: "display-1", groups: ["room:r1"] });
    const display = await connect(token.url);
    const publisher = new WebPubSubRealtimePublisher(client);

    await publisher.publishSchedule(snapshot("r2", 1));
    await publisher.publishSchedule(snapshot("r1", 2));
    await display.waitFor(1);
    // A later message to the display's own user id proves the one for r2 is not merely late.
    await client.sendToUser("display-1", { type: "ping" });
    await display.waitFor(2);

    expect(display.frames.map((f) => f.binary)).toEqual([false, false]);
    expect(JSON.parse(display.frames[0]!.data)).toEqual(snapshot("r1", 2));
    expect(JSON.parse(display.frames[1]!.data)).toEqual({ type: "ping" });
    display.socket.close();
  });

  it("is refused with a token signed by another key, an expired one, one for another hub, or none", async () => {
    const { endpoint, accessKey } = await service;
    const hub = uniqueHub();
    const url = `${endpoint.replace("http", "ws")}/client/hubs/${hub}`;
    const sign = (key: string, claims: { aud: string; exp: number }): Promise<string> =>
      new SignJWT({ sub: "display-1", "webpubsub.group": ["room:r1"] })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setIssuedAt()
        .setAudience(claims.aud)
        .setExpirationTime(claims.exp)
        .sign(new TextEncoder().encode(key));
    const aud = `${endpoint}/client/hubs/${hub}`;
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const refusalsBefore = (await service).refusals().length;

    const foreign = new WebPubSubServiceClient(
      withKey((await service).connectionString, "another-key"),
      hub,
      {
        allowInsecureConnection: true,
      },
    );
    const foreignKey = await foreign.getClientAccessToken({ userId: "display-1", groups: ["room:r1"] });
    expect(await refusedStatus(foreignKey.url)).toBe(401);
    const expired = await sign(accessKey, { aud, exp: Math.floor(Date.now() / 1000) - 60 });
    expect(await refusedStatus(`${url}?access_token=${expired}`)).toBe(401);
    const otherHub = await sign(accessKey, { aud: `${endpoint}/client/hubs/elsewhere`, exp: inAnHour });
    expect(await refusedStatus(`${url}?access_token=${otherHub}`)).toBe(401);
    expect(await refusedStatus(url)).toBe(401);

    expect((await service).refusals().slice(refusalsBefore)).toEqual([
      "bad-signature",
      "expired",
      "wrong-audience",
      "missing",
    ]);
    // The same claims, rightly signed, are let in.
    const good = await connect(`${url}?access_token=${await sign(accessKey, { aud, exp: inAnHour })}`);
    good.socket.close();
  });
});

describe("the REST API the SDK calls", () => {
  it("answers every operation with the status the SDK expects", async () => {
    const client = await sdk();
    const token = await client.getClientAccessToken({ userId: "u1", groups: ["room:r1"] });
    const display = await connect(token.url);
    const [listed] = await collect(await client.group("room:r1").listConnections());
    const connectionId = listed!.connectionId;
    expect(listed).toMatchObject({ userId: "u1" });

    // Existence checks: 200 / 404.
    expect(await client.groupExists("room:r1")).toBe(true);
    expect(await client.groupExists("room:r9")).toBe(false);
    expect(await client.userExists("u1")).toBe(true);
    expect(await client.userExists("u9")).toBe(false);
    expect(await client.connectionExists(connectionId)).toBe(true);
    expect(await client.connectionExists("nobody")).toBe(false);

    // Sends: 202, each delivered where it belongs.
    await client.sendToAll({ n: 1 });
    await client.sendToAll("two", { contentType: "text/plain" });
    await client.group("room:r1").sendToAll({ n: 3 });
    await client.sendToUser("u1", { n: 4 });
    await client.sendToConnection(connectionId, { n: 5 });
    await client.group("room:r2").sendToAll({ n: -1 });
    await client.sendToUser("u2", { n: -2 });
    await display.waitFor(5);

    // Group membership: add 200, remove 204.
    await client.group("floor:f1").addUser("u1");
    expect(await client.groupExists("floor:f1")).toBe(true);
    await client.group("floor:f1").removeUser("u1");
    expect(await client.groupExists("floor:f1")).toBe(false);
    await client.group("floor:f2").addConnection(connectionId);
    expect(await client.groupExists("floor:f2")).toBe(true);
    await client.group("floor:f2").removeConnection(connectionId);
    expect(await client.groupExists("floor:f2")).toBe(false);
    await client.group("floor:f3").addUser("u1");
    await client.removeUserFromAllGroups("u1");
    expect(await client.groupExists("floor:f3")).toBe(false);
    await client.group("floor:f4").addConnection(connectionId);
    await client.removeConnectionFromAllGroups(connectionId);
    expect(await client.groupExists("floor:f4")).toBe(false);
    await client.group("room:r1").sendToAll({ n: -3 });

    // Closing: 204.
    await client.closeUserConnections("u9");
    await client.group("room:r9").closeAllConnections();
    await client.closeConnection("nobody");
    await client.closeAllConnections({ reason: "maintenance" });
    expect(await display.closed).toBe(1000);
    expect(await client.connectionExists(connectionId)).toBe(false);

    expect(display.frames.map((f) => f.data)).toEqual(['{"n":1}', "two", '{"n":3}', '{"n":4}', '{"n":5}']);
  });

  it("refuses requests without a valid token for their exact URL with 401", async () => {
    const { endpoint, accessKey } = await service;
    const url = `${endpoint}/api/hubs/displays/:send?api-version=2024-12-01`;
    const token = (aud: string): Promise<string> =>
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setAudience(aud)
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(accessKey));
    const post = async (authorization?: string): Promise<number> =>
      (
        await fetch(url, {
          method: "POST",
          body: "{}",
          headers: {
            "content-type": "application/json",
            ...(authorization === undefined ? {} : { authorization }),
          },
        })
      ).status;

    expect(await post()).toBe(401);
    expect(await post(`Bearer ${await token(url.replace("displays", "other"))}`)).toBe(401);
    expect(await post(`Bearer ${await token(url.split("?")[0]!)}`)).toBe(401);
    expect(await post(`Bearer ${await token(url)}`)).toBe(202);
  });
});

describe("the health probe", () => {
  afterEach(resetServices);

  it("is up with the right key, and down with a wrong one", async () => {
    const { connectionString } = await service;
    const services = await servicesWith({ settings: webPubSubSettings(connectionString) });
    const probe = services.probes.find((p) => p.name === "webPubSub");
    expect(probe).toMatchObject({ required: false });
    await expect(probe!.check!(AbortSignal.timeout(3_000))).resolves.toBeUndefined();

    const wrong = realtimeFromSettings(webPubSubSettings(withKey(connectionString, "wrong"))).probe();
    await expect(wrong.check!(AbortSignal.timeout(3_000))).rejects.toMatchObject({ statusCode: 401 });
  });

  it("reports the webPubSub dependency up, then down once the service stopped", async () => {
    const own = await startWebPubSub();
    const services = await servicesWith({ settings: webPubSubSettings(own.connectionString) });
    const report = async (): Promise<unknown> =>
      (
        await checkHealth([services.realtime.probe()], {
          version: "t",
          now: () => new Date(),
          timeoutMs: 500,
        })
      ).dependencies.webPubSub;

    expect(await report()).toMatchObject({ status: "up", required: false });
    await own.stop();
    // The SDK retries a refused connection until the probe's time is up.
    expect(await report()).toMatchObject({ status: "down", required: false });
  });
});

describe("stop()", () => {
  it("closes every client connection and HTTP connection, and stops listening", async () => {
    const own = await startWebPubSub();
    const client = new WebPubSubServiceClient(own.connectionString, "displays", {
      allowInsecureConnection: true,
    });
    const displays = await Promise.all(
      ["room:a", "room:b"].map(async (g) =>
        connect((await client.getClientAccessToken({ groups: [g] })).url),
      ),
    );
    await client.sendToAll({ hello: true }); // leaves a kept-alive HTTP connection open
    expect(own.stats()).toMatchObject({ connections: 2, groups: { "room:a": 1, "room:b": 1 } });

    await own.stop();

    for (const display of displays) expect(await display.closed).toBeGreaterThan(0);
    expect(own.stats().connections).toBe(0);
    await expect(fetch(`${own.endpoint}/api/health`)).rejects.toThrow();
    await expect(connect((await client.getClientAccessToken()).url)).rejects.toThrow();
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

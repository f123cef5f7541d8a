import { WebPubSubClient } from "@azure/web-pubsub-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { buildDisplay } from "../../../scripts/build-display";
import { shardIndex } from "../../../shared/adapters/webpubsub/web-pubsub-shards";
import type { ScheduleSnapshot } from "../../../shared/app/ports/realtime-publisher";
import { resetServices } from "../../../shared/composition";
import { issuePairingCode, registerDisplay } from "../../../shared/composition/displays";
import { getServices } from "../../../shared/composition/services";
import { resetSettings } from "../../../shared/config";
import { eventually } from "../../support/eventually";
import { connect, emptySnapshot as snapshot, type TestClient } from "../webpubsub/harness";
import { storeRooms, testRoom } from "./rooms";
import { startDisplayStack, type DisplayStack } from "./stack";

/**
 * Displays paired and negotiated through the app's HTTP routes while the app spreads them over two
 * local Web PubSub services: each gets a URL on its group's service and hears its own room only.
 */
let stack: DisplayStack;
let second: RunningWebPubSub;
let services: [RunningWebPubSub, RunningWebPubSub];
const sockets: TestClient[] = [];

/** A room id on floor `hq-9` whose group lives on `services[index]`. */
function roomOn(index: number, prefix: string): string {
  const keys = services.map((s) => new URL(s.endpoint).host);
  for (let i = 0; ; i++) {
    const id = `${prefix}${i}@contoso.com`;
    if (shardIndex(`room:${id}`, keys) === index) return id;
  }
}

let rooms: [string, string];
/** A room whose group lives on the second service once both are listed. */
let moving: string;
const clients: WebPubSubClient[] = [];

beforeAll(async () => {
  stack = await startDisplayStack();
  second = await startWebPubSub();
  services = [stack.wps, second];
  // The list wins over the single connection string the stack set.
  await listServices(services);
  rooms = [roomOn(0, "eiger"), roomOn(1, "moench")];
  moving = roomOn(1, "jungfrau");
  await storeRooms(getServices().tables, [
    testRoom(rooms[0], "Eiger 9.01", "hq-9"),
    testRoom(rooms[1], "Mönch 9.02", "hq-9"),
    testRoom(moving, "Jungfrau 9.03", "hq-9"),
  ]);
  await buildDisplay();
});
afterAll(async () => {
  for (const s of sockets) s.socket.close();
  for (const c of clients) c.stop();
  delete process.env.WEBPUBSUB_CONNECTION_STRINGS;
  await stack?.stop();
  await second?.stop();
  resetSettings();
});

function call(method: string, path: string, init: { credential?: string; body?: unknown } = {}) {
  return fetch(`${stack.host.baseUrl}/api/${path}`, {
    method,
    headers: {
      ...(init.credential === undefined ? {} : { authorization: `Bearer ${init.credential}` }),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      "x-forwarded-for": "198.51.100.7",
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function pair(roomId: string): Promise<string> {
  const display = await registerDisplay({ name: roomId, target: { kind: "room", roomId } });
  const { code } = await issuePairingCode(display.id);
  const paired = await call("POST", "displays/pair", { body: { code } });
  expect(paired.status).toBe(200);
  return ((await paired.json()) as { credential: string }).credential;
}

/** POST /api/displays/negotiate, as the display page's client asks for its URL. */
async function negotiate(credential: string): Promise<string> {
  const negotiated = await call("POST", "displays/negotiate", { credential });
  expect(negotiated.status).toBe(200);
  return ((await negotiated.json()) as { url: string }).url;
}

const pairAndNegotiate = async (roomId: string): Promise<string> => negotiate(await pair(roomId));

/** The app restarted with these services listed. */
async function listServices(listed: readonly RunningWebPubSub[]): Promise<void> {
  process.env.WEBPUBSUB_CONNECTION_STRINGS = JSON.stringify(listed.map((s) => s.connectionString));
  resetSettings();
  await resetServices();
}

describe("displays over two Web PubSub services, through the app's routes", () => {
  it("negotiate a URL on their group's service, and each hears only its own room", async () => {
    const urls = [await pairAndNegotiate(rooms[0]), await pairAndNegotiate(rooms[1])];
    expect(urls.map((u) => new URL(u).host)).toEqual(services.map((s) => new URL(s.endpoint).host));
    const displays = await Promise.all(urls.map((u) => connect(u)));
    sockets.push(...displays);

    const realtime = getServices().realtime;
    for (const version of [3, 4])
      for (const room of rooms) await realtime.publishSchedule(snapshot(room, version), { floorId: "hq-9" });
    await Promise.all(displays.map((d) => d.waitFor(2)));
    // Version 4 of its own room arrived after version 3 of the other: nothing else was on its way.
    expect(displays.map((d) => d.frames.map((f) => JSON.parse(f.data) as unknown))).toEqual(
      rooms.map((room) => [snapshot(room, 3), snapshot(room, 4)]),
    );
    expect(services.map((s) => s.stats().connections)).toEqual([1, 1]);
  });

  it("serve the display page with a CSP that lets it connect to both services", async () => {
    const page = await fetch(`${stack.host.baseUrl}/display`);
    expect(page.status).toBe(200);
    const connectSrc = /connect-src ([^;]+)/.exec(page.headers.get("content-security-policy") ?? "")?.[1];
    expect(connectSrc).toBe(`'self' ${services.map((s) => s.endpoint.replace("http:", "ws:")).join(" ")}`);
  });

  it("move a display whose group moved when a service was added: it reconnects through negotiate", async () => {
    const [a, b] = services;
    await listServices([a]);
    const credential = await pair(moving);
    const negotiated: string[] = [];
    const display = new WebPubSubClient({
      getClientAccessUrl: async () => {
        const url = await negotiate(credential);
        negotiated.push(new URL(url).host);
        return url;
      },
    });
    clients.push(display);
    const heard: unknown[] = [];
    display.on("server-message", (e) => heard.push(e.message.data));
    await display.start();

    await listServices([a, b]);
    await getServices().realtime.publishSchedule(snapshot(moving, 1), { floorId: "hq-9" });
    await eventually(() => negotiated.length === 2, { explain: () => JSON.stringify(negotiated) });
    await eventually(() => b.connections().some((c) => c.groups.includes(`room:${moving}`)));
    await getServices().realtime.publishSchedule(snapshot(moving, 2), { floorId: "hq-9" });
    await eventually(() => heard.some((h) => (h as ScheduleSnapshot).version === 2), {
      explain: () => JSON.stringify(heard),
    });

    expect(negotiated).toEqual([a, b].map((s) => new URL(s.endpoint).host));
    // Version 1 reaches the display only if it was back before the message got to its new service;
    // otherwise the page fetches it on reopening.
    expect([[snapshot(moving, 2)], [snapshot(moving, 1), snapshot(moving, 2)]]).toContainEqual(heard);
    expect(a.connections().some((c) => c.groups.includes(`room:${moving}`))).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { buildDisplay } from "../../../scripts/build-display";
import { shardIndex } from "../../../shared/adapters/webpubsub/web-pubsub-shards";
import type { ScheduleSnapshot } from "../../../shared/app/ports/realtime-publisher";
import { resetServices } from "../../../shared/composition";
import { issuePairingCode, registerDisplay } from "../../../shared/composition/displays";
import { getServices } from "../../../shared/composition/services";
import { resetSettings } from "../../../shared/config";
import { connect, type TestClient } from "../webpubsub/harness";
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

beforeAll(async () => {
  stack = await startDisplayStack();
  second = await startWebPubSub();
  services = [stack.wps, second];
  // The list wins over the single connection string the stack set.
  process.env.WEBPUBSUB_CONNECTION_STRINGS = JSON.stringify(services.map((s) => s.connectionString));
  resetSettings();
  await resetServices();
  rooms = [roomOn(0, "eiger"), roomOn(1, "moench")];
  await storeRooms(getServices().tables, [
    testRoom(rooms[0], "Eiger 9.01", "hq-9"),
    testRoom(rooms[1], "Mönch 9.02", "hq-9"),
  ]);
  await buildDisplay();
});
afterAll(async () => {
  for (const s of sockets) s.socket.close();
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

async function pairAndNegotiate(roomId: string): Promise<string> {
  const display = await registerDisplay({ name: roomId, target: { kind: "room", roomId } });
  const { code } = await issuePairingCode(display.id);
  const pair = await call("POST", "displays/pair", { body: { code } });
  expect(pair.status).toBe(200);
  const { credential } = (await pair.json()) as { credential: string };
  const negotiated = await call("POST", "displays/negotiate", { credential });
  expect(negotiated.status).toBe(200);
  return ((await negotiated.json()) as { url: string }).url;
}

const snapshot = (roomId: string, version: number): ScheduleSnapshot => ({
  type: "schedule",
  roomId,
  version,
  generatedAt: "2030-01-07T09:00:00.000Z",
  items: [],
});

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
});

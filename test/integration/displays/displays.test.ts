import { createHash, randomUUID } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient } from "@azure/web-pubsub-client";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { EmptyScheduleSnapshots } from "../../../shared/adapters/displays/empty-schedule-snapshots";
import { TableDisplayStore, TablePairingCodeStore } from "../../../shared/adapters/tables/table-displays";
import { TableRoomStore } from "../../../shared/adapters/tables/table-rooms";
import { WebPubSubDisplayConnections } from "../../../shared/adapters/webpubsub/web-pubsub-display-connections";
import { WebPubSubRealtimePublisher } from "../../../shared/adapters/webpubsub/web-pubsub-publisher";
import * as displays from "../../../shared/app/displays/displays";
import type { DisplayDependencies } from "../../../shared/app/displays/displays";
import { PAIRING_CODE_TTL_MS } from "../../../shared/domain/displays/display";
import { isAppError } from "../../../shared/domain/errors";
import type { Room } from "../../../shared/domain/rooms/room";
import { queuedMailSchema } from "../../../shared/domain/mail/queued-mail";
import { eventually } from "../../support/eventually";
import { TestClock, TestQueue, testTables } from "../mail/harness";
import { storeRooms, testRoom } from "./rooms";

/**
 * The display use cases on the real table adapters (Azurite), the local Web PubSub service and the
 * real @azure/web-pubsub-client, with an injected clock.
 */
let wps: RunningWebPubSub;
beforeAll(async () => {
  wps = await startWebPubSub();
});
afterAll(async () => wps.stop());

const room = (id: string, floorId: string | null): Room =>
  testRoom(id, id.split("@")[0]!.toUpperCase(), floorId);

async function setup() {
  const clock = new TestClock(Date.parse("2030-01-07T08:00:00Z"));
  const tables = testTables();
  await storeRooms(tables, [
    room("r1@contoso.com", "f1"),
    room("r2@contoso.com", "f1"),
    room("r3@contoso.com", "f2"),
  ]);
  const hub = `d${randomUUID().slice(0, 8)}`;
  const sdk = new WebPubSubServiceClient(wps.connectionString, hub, { allowInsecureConnection: true });
  let codes = 0;
  const deps: DisplayDependencies = {
    displays: new TableDisplayStore(tables),
    pairing: new TablePairingCodeStore(tables),
    rooms: new TableRoomStore(tables),
    connections: new WebPubSubDisplayConnections(sdk),
    snapshots: new EmptyScheduleSnapshots(clock.now),
    now: clock.now,
    newId: () => randomUUID(),
    newSecret: () => randomUUID().replaceAll("-", "") + randomUUID().replaceAll("-", ""),
    // Distinct, valid codes: a counter in the pairing alphabet.
    newPairingCode: () =>
      `ABCD${String(2222 + codes++)
        .replaceAll("0", "2")
        .replaceAll("1", "3")}`,
    hash: (v) => createHash("sha256").update(v).digest("hex"),
    silentAfterMs: 10 * 60_000,
  };
  const pairedDisplay = async (
    target: { kind: "room"; roomId: string } | { kind: "floor"; floorId: string },
  ) => {
    const view = await displays.registerDisplay(deps, { name: `Panel ${codes}`, target });
    const { code } = await displays.issuePairingCode(deps, view.id);
    const paired = await displays.pairDisplay(deps, { code, address: "10.0.0.1" });
    return { id: view.id, credential: paired.credential };
  };
  return { clock, tables, deps, sdk, hub, pairedDisplay };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

describe("pairing", () => {
  it("exchanges a code once; a reused, expired or unknown code is refused", async () => {
    const { deps, clock } = await setup();
    const view = await displays.registerDisplay(deps, {
      name: "Room 1 door",
      target: { kind: "room", roomId: "r1@contoso.com" },
    });
    const { code, expiresAt } = await displays.issuePairingCode(deps, view.id);
    expect(expiresAt).toBe(new Date(clock.ms + PAIRING_CODE_TTL_MS).toISOString());

    const paired = await displays.pairDisplay(deps, { code: code.toLowerCase(), address: "a" });
    expect(paired.credential.startsWith(`${view.id}.`)).toBe(true);
    expect(paired.display).toEqual({
      id: view.id,
      name: "Room 1 door",
      target: { kind: "room", roomId: "r1@contoso.com" },
    });
    expect(await codeOf(displays.pairDisplay(deps, { code, address: "a" }))).toBe("unauthenticated");

    const late = await displays.issuePairingCode(deps, view.id);
    clock.advance(PAIRING_CODE_TTL_MS);
    expect(await codeOf(displays.pairDisplay(deps, { code: late.code, address: "a" }))).toBe(
      "unauthenticated",
    );

    // Only the hash of the credential's secret is stored.
    const stored = await deps.displays.get(view.id);
    const secret = paired.credential.split(".")[1]!;
    expect(stored?.credentialHash).toBe(deps.hash(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it("answers rate-limited after 10 wrong codes from one address, even for the right code, until the window ends", async () => {
    const { deps, clock } = await setup();
    const view = await displays.registerDisplay(deps, {
      name: "x",
      target: { kind: "floor", floorId: "f1" },
    });
    const { code } = await displays.issuePairingCode(deps, view.id);
    for (let i = 0; i < 10; i++)
      expect(
        await codeOf(
          displays.pairDisplay(deps, {
            code: `ZZZZ${2222 + i}`.replaceAll("0", "2").replaceAll("1", "3"),
            address: "evil",
          }),
        ),
      ).toBe("unauthenticated");
    expect(await codeOf(displays.pairDisplay(deps, { code, address: "evil" }))).toBe("rate-limited");
    // Another address is not blocked by this one's guesses.
    const other = await displays.issuePairingCode(deps, view.id);
    expect(await codeOf(displays.pairDisplay(deps, { code: other.code, address: "good" }))).toBe("ok");
    clock.advance(10 * 60_000);
    const fresh = await displays.issuePairingCode(deps, view.id);
    expect(await codeOf(displays.pairDisplay(deps, { code: fresh.code, address: "evil" }))).toBe("ok");
  });
});

describe("device credentials", () => {
  it("read only their own room or floor; a forged or another display's id is refused", async () => {
    const { deps, pairedDisplay } = await setup();
    const roomDisplay = await pairedDisplay({ kind: "room", roomId: "r1@contoso.com" });
    const floorDisplay = await pairedDisplay({ kind: "floor", floorId: "f1" });

    const own = await displays.displaySchedule(deps, roomDisplay.credential);
    expect(own.rooms.map((r) => [r.roomId, r.snapshot.version, r.snapshot.items])).toEqual([
      ["r1@contoso.com", 0, []],
    ]);
    const floor = await displays.displaySchedule(deps, floorDisplay.credential);
    expect(floor.target).toEqual({ kind: "floor", floorId: "f1" });
    expect(floor.rooms.map((r) => r.roomId)).toEqual(["r1@contoso.com", "r2@contoso.com"]);

    const secret = roomDisplay.credential.split(".")[1]!;
    const forged = `${floorDisplay.id}.${secret}`;
    expect(await codeOf(displays.displaySchedule(deps, forged))).toBe("unauthenticated");
    expect(await codeOf(displays.negotiateDisplay(deps, forged))).toBe("unauthenticated");
    expect(await codeOf(displays.displayHeartbeat(deps, "garbage", "1"))).toBe("unauthenticated");
  });

  it("negotiate a token for the device's own group only, with no role and the device as user", async () => {
    const { deps, pairedDisplay, hub } = await setup();
    const d = await pairedDisplay({ kind: "room", roomId: "r1@contoso.com" });
    const { url, groups } = await displays.negotiateDisplay(deps, d.credential);
    expect(groups).toEqual(["room:r1@contoso.com"]);
    expect(url.startsWith(`${wps.endpoint.replace("http", "ws")}/client/hubs/${hub}?access_token=`)).toBe(
      true,
    );
    const claims = decodeJwt(new URL(url).searchParams.get("access_token")!);
    expect(claims.sub).toBe(`display:${d.id}`);
    expect(claims["webpubsub.group"]).toEqual(["room:r1@contoso.com"]);
    expect(claims.role).toBeUndefined();
  });

  it("live: the real client receives its room's snapshot only; removal refuses the device at once and closes its connection", async () => {
    const { deps, pairedDisplay, sdk } = await setup();
    const d = await pairedDisplay({ kind: "room", roomId: "r1@contoso.com" });
    const other = await pairedDisplay({ kind: "room", roomId: "r3@contoso.com" });
    const { url } = await displays.negotiateDisplay(deps, d.credential);
    const client = new WebPubSubClient(url, { autoReconnect: false, messageRetryOptions: { maxRetries: 0 } });
    const received: unknown[] = [];
    const disconnected: (string | undefined)[] = [];
    let stopped = false;
    client.on("server-message", (e) => received.push(e.message.data));
    client.on("disconnected", (e) => disconnected.push(e.message?.message));
    client.on("stopped", () => (stopped = true));
    await client.start();
    try {
      const publisher = new WebPubSubRealtimePublisher(sdk);
      const snap = (roomId: string, version: number) => ({
        type: "schedule" as const,
        roomId,
        version,
        generatedAt: "2030-01-07T08:00:00.000Z",
        items: [],
      });
      await publisher.publishSchedule(snap("r3@contoso.com", 5), { floorId: "f2" });
      await publisher.publishSchedule(snap("r1@contoso.com", 6), { floorId: "f1" });
      await eventually(() => received.length === 1);
      expect(received).toEqual([snap("r1@contoso.com", 6)]);
      // The device may not join another room's group or send anything.
      expect(
        await client.joinGroup("room:r3@contoso.com").then(
          () => "joined",
          () => "refused",
        ),
      ).toBe("refused");
      expect(
        await client.sendToGroup("room:r1@contoso.com", { forged: 1 }, "json").then(
          () => "sent",
          () => "refused",
        ),
      ).toBe("refused");

      await displays.removeDisplay(deps, d.id);
      expect(await codeOf(displays.negotiateDisplay(deps, d.credential))).toBe("unauthenticated");
      expect(await codeOf(displays.displaySchedule(deps, d.credential))).toBe("unauthenticated");
      await eventually(() => stopped);
      expect(disconnected).toEqual(["The display was removed."]);
      expect(wps.connections().filter((c) => c.userId === `display:${d.id}`)).toEqual([]);
      // The other display is untouched.
      expect(await codeOf(displays.negotiateDisplay(deps, other.credential))).toBe("ok");
    } finally {
      client.stop();
    }
  });
});

describe("display health", () => {
  it("mails the admins once when a display goes silent and once when it is back", async () => {
    const { deps, pairedDisplay, clock } = await setup();
    const d = await pairedDisplay({ kind: "room", roomId: "r1@contoso.com" });
    const queue = new TestQueue(clock);
    const health = {
      displays: deps.displays,
      rooms: deps.rooms,
      workQueue: queue,
      adminEmails: () => Promise.resolve(["facilities@contoso.com", " facilities@contoso.com "]),
      now: clock.now,
      silentAfterMs: deps.silentAfterMs,
    };
    const mails = () =>
      queue.pending.map((p) => {
        const m = queuedMailSchema.parse(p.body);
        return [m.template.kind, m.to.email];
      });

    await displays.displayHeartbeat(deps, d.credential, "1.4.0");
    expect(await displays.checkDisplayHealth(health)).toEqual({ wentSilent: 0, cameBack: 0 });
    clock.advance(10 * 60_000);
    expect(await displays.checkDisplayHealth(health)).toEqual({ wentSilent: 0, cameBack: 0 });
    clock.advance(1_000);
    expect(await displays.checkDisplayHealth(health)).toEqual({ wentSilent: 1, cameBack: 0 });
    expect(await displays.checkDisplayHealth(health)).toEqual({ wentSilent: 0, cameBack: 0 });
    expect(mails()).toEqual([["display-offline", "facilities@contoso.com"]]);
    const [list] = [await displays.listDisplays(deps)];
    expect(list.map((v) => [v.id, v.status, v.pageVersion])).toEqual([[d.id, "silent", "1.4.0"]]);

    await displays.displayHeartbeat(deps, d.credential, "1.5.0");
    expect(await displays.checkDisplayHealth(health)).toEqual({ wentSilent: 0, cameBack: 1 });
    expect(await displays.checkDisplayHealth(health)).toEqual({ wentSilent: 0, cameBack: 0 });
    expect(mails()).toEqual([
      ["display-offline", "facilities@contoso.com"],
      ["display-online", "facilities@contoso.com"],
    ]);
    expect((await displays.listDisplays(deps)).map((v) => [v.status, v.pageVersion])).toEqual([
      ["online", "1.5.0"],
    ]);
  });
});

import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuePairingCode, registerDisplay, removeDisplay } from "../../../shared/composition/displays";
import { startDisplayStack, type DisplayStack } from "./stack";

/** The display routes at the HTTP edge: status codes and problem bodies, on the local host. */
let stack: DisplayStack;
beforeAll(async () => {
  stack = await startDisplayStack();
});
afterAll(async () => stack?.stop());

function call(
  method: string,
  path: string,
  init: { credential?: string; body?: unknown; from?: string } = {},
) {
  return fetch(`${stack.host.baseUrl}/api/${path}`, {
    method,
    headers: {
      ...(init.credential === undefined ? {} : { authorization: `Bearer ${init.credential}` }),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.from === undefined ? {} : { "x-forwarded-for": init.from }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function paired(roomId: string): Promise<{ id: string; credential: string }> {
  const display = await registerDisplay({ name: roomId, target: { kind: "room", roomId } });
  const { code } = await issuePairingCode(display.id);
  const response = await call("POST", "displays/pair", { body: { code }, from: "198.51.100.1" });
  expect(response.status).toBe(200);
  return { id: display.id, credential: ((await response.json()) as { credential: string }).credential };
}

describe("the display routes", () => {
  it("refuse the admin routes without a session and the device routes without a credential", async () => {
    expect((await call("GET", "admin/displays")).status).toBe(401);
    expect((await call("POST", "admin/displays", { body: { name: "x" } })).status).toBe(401);
    expect((await call("DELETE", "admin/displays/x")).status).toBe(401);
    expect((await call("POST", "admin/displays/x/pairing-code")).status).toBe(401);
    for (const [method, path] of [
      ["POST", "displays/negotiate"],
      ["GET", "displays/schedule"],
    ] as const) {
      const response = await call(method, path);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(
      (await call("POST", "displays/heartbeat", { credential: "x.y", body: { pageVersion: "1" } })).status,
    ).toBe(401);
  });

  it("give a device its own room's schedule and a token for its group only; removal refuses it at once", async () => {
    const mine = await paired("zugspitze@contoso.com");
    const schedule = (await (
      await call("GET", "displays/schedule", { credential: mine.credential })
    ).json()) as {
      rooms: { roomId: string }[];
    };
    expect(schedule.rooms.map((r) => r.roomId)).toEqual(["zugspitze@contoso.com"]);

    const negotiated = await call("POST", "displays/negotiate", { credential: mine.credential });
    expect(negotiated.status).toBe(200);
    const { url, groups } = (await negotiated.json()) as { url: string; groups: string[] };
    expect(groups).toEqual(["room:zugspitze@contoso.com"]);
    const claims = decodeJwt(new URL(url).searchParams.get("access_token")!);
    expect([claims.sub, claims["webpubsub.group"], claims.role]).toEqual([
      `display:${mine.id}`,
      ["room:zugspitze@contoso.com"],
      undefined,
    ]);

    const heartbeat = await call("POST", "displays/heartbeat", {
      credential: mine.credential,
      body: { pageVersion: "0.1.0" },
    });
    expect(heartbeat.status).toBe(200);

    await removeDisplay(mine.id);
    expect((await call("POST", "displays/negotiate", { credential: mine.credential })).status).toBe(401);
    expect((await call("GET", "displays/schedule", { credential: mine.credential })).status).toBe(401);
  });

  it("refuse a reused code with 401 and answer 429 after ten wrong codes from one address", async () => {
    const display = await registerDisplay({
      name: "Brocken",
      target: { kind: "room", roomId: "brocken@contoso.com" },
    });
    const { code } = await issuePairingCode(display.id);
    expect((await call("POST", "displays/pair", { body: { code }, from: "203.0.113.5" })).status).toBe(200);
    expect((await call("POST", "displays/pair", { body: { code }, from: "203.0.113.5" })).status).toBe(401);

    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (await call("POST", "displays/pair", { body: { code: "WRONGXYZ" }, from: "203.0.113.9" })).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
    const fresh = await issuePairingCode(display.id);
    const limited = await call("POST", "displays/pair", { body: { code: fresh.code }, from: "203.0.113.9" });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { type: string }).type).toBe("urn:ones:problem:rate-limited");
  });
});

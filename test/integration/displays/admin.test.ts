import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { getServices } from "../../../shared/composition/services";
import type { CookieJar } from "../auth/helpers";
import { startAdminStack, type AdminStack } from "../integration-settings/helpers";
import { storeRooms, testRoom } from "./rooms";

/** The admin's display routes over HTTP, signed in through the M365 simulator. */
let wps: RunningWebPubSub;
let s: AdminStack;
let jar: CookieJar;
beforeAll(async () => {
  wps = await startWebPubSub();
  process.env.WEBPUBSUB_CONNECTION_STRING = wps.connectionString;
  s = await startAdminStack();
  jar = await s.signInAs("application");
  await storeRooms(getServices().tables, [testRoom("everest@contoso.com", "Everest 2.01", "hq-2")]);
});
afterAll(async () => {
  await s?.stack.stop();
  delete process.env.WEBPUBSUB_CONNECTION_STRING;
  await wps?.stop();
});

describe("the admin's display routes", () => {
  it("register, pair, list with last seen and page version, and remove a display", async () => {
    const bad = await s.call(jar, "POST", "/api/admin/displays", {
      name: "Door",
      target: { kind: "room", roomId: "nowhere@contoso.com" },
    });
    expect(bad.status).toBe(400);
    const created = await s.call(jar, "POST", "/api/admin/displays", {
      name: "Door",
      target: { kind: "room", roomId: "Everest@contoso.com" },
    });
    expect(created.status).toBe(201);
    const display = (await created.json()) as {
      id: string;
      target: unknown;
      paired: boolean;
      status: string;
    };
    expect([display.target, display.paired, display.status]).toEqual([
      { kind: "room", roomId: "everest@contoso.com" },
      false,
      "never",
    ]);

    const issued = await s.call(jar, "POST", `/api/admin/displays/${display.id}/pairing-code`);
    expect(issued.status).toBe(201);
    const { code } = (await issued.json()) as { code: string };
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    const pair = await fetch(`${s.stack.host.baseUrl}/api/displays/pair`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
    });
    const { credential } = (await pair.json()) as { credential: string };
    const beat = await fetch(`${s.stack.host.baseUrl}/api/displays/heartbeat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
      body: JSON.stringify({ pageVersion: "0.1.0" }),
    });
    expect(beat.status).toBe(200);

    const list = (await (await s.call(jar, "GET", "/api/admin/displays")).json()) as {
      displays: { id: string; paired: boolean; status: string; pageVersion: string; lastSeenAt: string }[];
    };
    const row = list.displays.find((d) => d.id === display.id);
    expect([row?.paired, row?.status, row?.pageVersion]).toEqual([true, "online", "0.1.0"]);
    expect(JSON.stringify(list)).not.toContain(credential.split(".")[1]);

    expect((await s.call(jar, "DELETE", `/api/admin/displays/${display.id}`)).status).toBe(204);
    expect((await s.call(jar, "DELETE", `/api/admin/displays/${display.id}`)).status).toBe(404);
  });

  it("are refused to staff outside the admin group", async () => {
    const staff = await s.signInAs("application", "staff");
    expect((await s.call(staff, "GET", "/api/admin/displays")).status).toBe(403);
  });
});

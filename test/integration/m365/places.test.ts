import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS, type RunningM365Simulator, type TenantSeed } from "../../../dev/m365";
import { appToken, graphFetch, startSim } from "./helpers";

/** A tenant with 150 rooms in 3 lists, one of them hidden from the address list. */
function bigSeed(): TenantSeed {
  const lists = ["a", "b", "c"].map((k) => ({
    emailAddress: `list-${k}@example.org`,
    displayName: `List ${k.toUpperCase()}`,
  }));
  const rooms = Array.from({ length: 151 }, (_, i) => ({
    emailAddress: `room${String(i).padStart(3, "0")}@example.org`,
    displayName: `Room ${i}`,
    capacity: 4 + (i % 10),
    building: i < 75 ? "North" : "South",
    floorNumber: (i % 5) + 1,
    floorLabel: `L${(i % 5) + 1}`,
    isWheelChairAccessible: i % 3 === 0,
    tags: i % 2 ? ["Video"] : [],
    hiddenFromAddressList: i === 150,
    roomLists: [lists[i % 3]?.emailAddress as string],
  }));
  return {
    domains: ["example.org"],
    roomLists: lists,
    rooms,
    apps: [
      {
        clientId: "11111111-1111-4111-8111-111111111111",
        displayName: "places",
        secrets: ["s"],
        applicationPermissions: ["Place.Read.All"],
      },
      {
        clientId: "22222222-2222-4222-8222-222222222222",
        displayName: "no places",
        secrets: ["s"],
        applicationPermissions: ["User.Read.All"],
      },
    ],
  };
}

describe("places: rooms and room lists", () => {
  let sim: RunningM365Simulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSim(bigSeed());
    token = await appToken(sim, "11111111-1111-4111-8111-111111111111", "s");
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("pages rooms 100 at a time by default, excludes hidden rooms, honours $top", async () => {
    const first = (await (await graphFetch(sim, token, "/places/microsoft.graph.room")).json()) as {
      value: unknown[];
      "@odata.nextLink"?: string;
    };
    expect(first.value).toHaveLength(100);
    expect(first["@odata.nextLink"]).toBeTruthy();
    const second = (await (
      await fetch(first["@odata.nextLink"] as string, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { value: Array<{ emailAddress: string }>; "@odata.nextLink"?: string };
    expect(second.value).toHaveLength(50);
    expect(second["@odata.nextLink"]).toBeUndefined();
    expect(second.value.some((r) => r.emailAddress === "room150@example.org")).toBe(false);

    const big = (await (await graphFetch(sim, token, "/places/microsoft.graph.room?$top=999")).json()) as {
      value: unknown[];
    };
    expect(big.value).toHaveLength(150);
  });

  it("returns the documented room fields", async () => {
    const res = await graphFetch(sim, token, "/places/microsoft.graph.room?$top=1");
    const room = ((await res.json()) as { value: Array<Record<string, unknown>> }).value[0] ?? {};
    for (const field of [
      "id",
      "emailAddress",
      "displayName",
      "capacity",
      "building",
      "floorNumber",
      "floorLabel",
      "bookingType",
      "isWheelChairAccessible",
      "tags",
      "nickname",
      "address",
      "geoCoordinates",
      "phone",
      "audioDeviceName",
      "videoDeviceName",
      "displayDeviceName",
      "label",
    ]) {
      expect(room).toHaveProperty(field);
    }
    expect(room["@odata.type"]).toBe("#microsoft.graph.room");
    expect(typeof room.capacity).toBe("number");
  });

  it("lists room lists and the rooms of a list addressed by its email", async () => {
    const lists = (await (await graphFetch(sim, token, "/places/microsoft.graph.roomList")).json()) as {
      value: Array<{ emailAddress: string }>;
    };
    expect(lists.value.map((l) => l.emailAddress)).toEqual([
      "list-a@example.org",
      "list-b@example.org",
      "list-c@example.org",
    ]);
    const rooms = (await (
      await graphFetch(sim, token, "/places/list-a@example.org/microsoft.graph.roomlist/rooms")
    ).json()) as { value: Array<{ emailAddress: string }> };
    expect(rooms.value).toHaveLength(50);
    const byId = await graphFetch(
      sim,
      token,
      `/places/${sim.control.store.roomLists.get("list-a@example.org")?.id}/microsoft.graph.roomlist/rooms`,
    );
    expect(byId.status).toBe(404);
  });

  it("supports $filter and $select on rooms", async () => {
    const res = await graphFetch(
      sim,
      token,
      "/places/microsoft.graph.room?$filter=building eq 'South' and capacity ge 12&$select=displayName,capacity&$top=999",
    );
    const body = (await res.json()) as { value: Array<Record<string, unknown>> };
    expect(body.value.length).toBeGreaterThan(0);
    expect(body.value.every((r) => (r.capacity as number) >= 12)).toBe(true);
    expect(Object.keys(body.value[0] ?? {}).sort()).toEqual(["@odata.type", "capacity", "displayName", "id"]);
  });

  it("hiding a room takes it out of /places", async () => {
    sim.control.updateRoom("room000@example.org", { hiddenFromAddressList: true });
    const big = (await (await graphFetch(sim, token, "/places/microsoft.graph.room?$top=999")).json()) as {
      value: unknown[];
    };
    expect(big.value).toHaveLength(149);
  });

  it("403 ErrorAccessDenied without Place.Read.All", async () => {
    const other = await appToken(sim, "22222222-2222-4222-8222-222222222222", "s");
    const res = await graphFetch(sim, other, "/places/microsoft.graph.room");
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ErrorAccessDenied");
    void DEMO_APPS;
  });
});

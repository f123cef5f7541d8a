import { describe, expect, inject, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { listBuildings, setBuildingTimeZone } from "../../../shared/app/rooms/buildings";
import { importRooms } from "../../../shared/app/sync/import-rooms";
import { runSync } from "../../../shared/app/sync/run-sync";
import { importLinesFromRows } from "../../../shared/domain/rooms/room-import";
import { useDemoSimulator } from "../m365/helpers";
import { harness } from "./harness";

const conn = inject("tablesConnectionString");

describe("building time zones and reads of active rooms", () => {
  let sim: RunningM365Simulator;
  useDemoSimulator((started) => (sim = started), { reseed: true });

  it("a building's zone applies at once to its rooms without a zone of their own, and sticks on sync", async () => {
    const h = harness(sim, conn, "delegated");
    const facilities = [...sim.control.store.users.values()].find((u) => u.data.department === "Facilities")!;
    h.tokens.signedIn.set("facilities-1", facilities.data.userPrincipalName);
    const deps = {
      integration: h.integration,
      probe: h.gateways.roomCalendarProbe(),
      tokens: h.tokens,
      store: h.store,
      defaultTimeZone: "UTC",
    };
    const parsed = importLinesFromRows([
      { email: "room-hq-101@contoso.example", building: "Contoso HQ" },
      { email: "room-hq-102@contoso.example", building: "Contoso HQ", timeZone: "Europe/Lisbon" },
      { email: "room-hq-103@contoso.example", building: "Contoso HQ", capacity: "x" },
      { email: "room-hq-101@contoso.example" },
    ]);
    expect(parsed.problems.map((p) => [p.line, p.reason])).toEqual([
      [3, "invalid-capacity"],
      [4, "duplicate"],
    ]);
    await importRooms(deps, { ...parsed, actingUserId: "facilities-1" });
    expect(await h.store.rooms.room("room-hq-101@contoso.example")).toMatchObject({
      timeZone: "UTC",
      timeZoneSource: "default",
    });

    const before = await listBuildings({ store: h.store });
    expect(before.buildings).toEqual([
      { id: "contoso-hq", name: "Contoso HQ", timeZone: null, rooms: 2, activeRooms: 2 },
    ]);
    await expect(setBuildingTimeZone({ store: h.store }, "contoso-hq", "Mars/Olympus")).rejects.toMatchObject(
      {
        code: "validation-failed",
        extra: { fields: [{ path: "timeZone" }] },
      },
    );
    await expect(setBuildingTimeZone({ store: h.store }, "nowhere", "UTC")).rejects.toMatchObject({
      code: "not-found",
    });
    // A Windows name is stored as its IANA zone; the room's own (admin) zone stays.
    const set = await setBuildingTimeZone({ store: h.store }, "contoso-hq", "W. Europe Standard Time");
    expect(set).toMatchObject({ id: "contoso-hq", timeZone: "Europe/Berlin", rooms: 2, roomsUpdated: 1 });
    expect(await h.store.rooms.room("room-hq-101@contoso.example")).toMatchObject({
      timeZone: "Europe/Berlin",
      timeZoneSource: "building",
    });
    expect(await h.store.rooms.room("room-hq-102@contoso.example")).toMatchObject({
      timeZone: "Europe/Lisbon",
      timeZoneSource: "admin",
    });
    expect((await listBuildings({ store: h.store })).buildings[0]?.timeZone).toBe("Europe/Berlin");
    // Setting the same zone again writes nothing.
    expect((await setBuildingTimeZone({ store: h.store }, "contoso-hq", "Europe/Berlin")).roomsUpdated).toBe(
      0,
    );
  });

  it("rooms sync: working-hours zones are kept, the building's zone is used for the rest", async () => {
    const h = harness(sim, conn, "application");
    await runSync(h.deps, "rooms", "timer");
    const rooms = await h.store.rooms.rooms();
    const hq = rooms.filter((r) => r.buildingId === "contoso-hq");
    expect(hq.length).toBeGreaterThan(0);
    const result = await setBuildingTimeZone({ store: h.store }, "contoso-hq", "Asia/Tokyo");
    const fromHours = hq.filter((r) => r.timeZoneSource === "working-hours").length;
    expect(result.roomsUpdated).toBe(hq.length - fromHours);
    for (const room of hq) {
      const now = await h.store.rooms.room(room.id);
      expect(now?.timeZone).toBe(room.timeZoneSource === "working-hours" ? room.timeZone : "Asia/Tokyo");
    }
    const again = await runSync(h.deps, "rooms", "timer");
    expect(again.outcome).toBe("succeeded");
    for (const room of hq.filter((r) => r.timeZoneSource !== "working-hours")) {
      expect((await h.store.rooms.room(room.id))?.timeZone).toBe("Asia/Tokyo");
    }
  });

  it("roomEmails and the integration test's room: active rooms only (the directory sync still sees all)", async () => {
    const h = harness(sim, conn, "application");
    await runSync(h.deps, "rooms", "timer");
    const all = await h.store.rooms.roomEmails({ includeInactive: true });
    expect(all.size).toBe(24);
    // Every room but one leaves /places.
    const keep = "room-tower-101@fabrikam.example";
    for (const email of all)
      if (email !== keep) sim.control.updateRoom(email, { hiddenFromAddressList: true });
    await runSync(h.deps, "rooms", "timer");
    expect([...(await h.store.rooms.roomEmails())]).toEqual([keep]);
    expect((await h.store.rooms.roomEmails({ includeInactive: true })).size).toBe(24);
    expect(await h.store.rooms.anyActiveRoomEmail()).toBe(keep);
    sim.control.updateRoom(keep, { hiddenFromAddressList: true });
    await runSync(h.deps, "rooms", "timer");
    expect(await h.store.rooms.anyActiveRoomEmail()).toBeUndefined();
  });
});

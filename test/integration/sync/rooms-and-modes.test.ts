import { describe, expect, inject, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { getSyncStatus } from "../../../shared/app/sync/get-sync-status";
import { importRooms } from "../../../shared/app/sync/import-rooms";
import { runSync } from "../../../shared/app/sync/run-sync";
import { parseRoomCsv } from "../../../shared/domain/rooms/room-import";
import { useDemoSimulator } from "../m365/helpers";
import { countRows, harness } from "./harness";

const conn = inject("tablesConnectionString");

describe("rooms sync, room import and mode gating", () => {
  let sim: RunningM365Simulator;
  useDemoSimulator((started) => (sim = started), { reseed: true });

  it("rooms from /places: buildings, floors, capacity, lists, working-hours zones; vanished rooms inactive, never deleted", async () => {
    const h = harness(sim, conn, "application");
    let flagged: string[] = [];
    const deps = {
      ...h.deps,
      roomDeactivation: {
        roomsDeactivated: (ids: readonly string[]) => ((flagged = [...ids]), Promise.resolve(0)),
      },
    };
    const first = await runSync(deps, "rooms", "timer");
    expect(first.outcome).toBe("succeeded");
    expect(await countRows(h.tables, "rooms")).toBe(24);
    expect(await countRows(h.tables, "roomLists")).toBe(2);
    const room = await h.store.rooms.room("room-hq-101@contoso.example");
    expect(room).toMatchObject({
      buildingId: "contoso-hq",
      buildingName: "Contoso HQ",
      floorLabel: "1",
      floorId: "contoso-hq:1",
      capacity: 4,
      wheelchairAccessible: true,
      bookable: true,
      roomListIds: ["rooms-hq@contoso.example"],
      timeZone: "Europe/Berlin",
      timeZoneSource: "working-hours",
      active: true,
      source: "places",
    });
    expect((await h.store.rooms.room("room-tower-101@fabrikam.example"))?.timeZone).toBe(
      "America/Los_Angeles",
    );
    // Requests: lists (1), rooms of each list (2), rooms (1 page of $top=999), getSchedule (1 of ≤100).
    expect(sim.control.log.entries({ kind: "graph" }).length).toBe(5);

    sim.control.updateRoom("room-hq-102@contoso.example", { capacity: 7 });
    sim.control.updateRoom("room-hq-103@contoso.example", { hiddenFromAddressList: true });
    sim.control.log.clear();
    const second = await runSync(deps, "rooms", "timer");
    expect(second.status?.counts).toMatchObject({ written: 2, deactivated: 1 });
    // Zones known from working hours are not asked again.
    expect(sim.control.log.entries({ kind: "graph", path: /getSchedule/ }).length).toBe(0);
    expect((await h.store.rooms.room("room-hq-102@contoso.example"))?.capacity).toBe(7);
    const gone = await h.store.rooms.room("room-hq-103@contoso.example");
    expect(gone?.active).toBe(false);
    expect(gone?.deactivatedAt).toBe(h.clock.toISOString());
    expect(flagged).toEqual(["room-hq-103@contoso.example"]);
    expect(await countRows(h.tables, "rooms")).toBe(24);
  });

  it("mode gating: each mode syncs exactly what its permissions allow and reports the rest", async () => {
    // Mode 4: rooms (Place.Read.All), no directory.
    const m4 = harness(sim, conn, "application-resource-only");
    expect((await runSync(m4.deps, "rooms", "timer")).outcome).toBe("succeeded");
    expect(await countRows(m4.tables, "rooms")).toBe(24);
    sim.control.log.clear();
    expect((await runSync(m4.deps, "directory", "timer")).outcome).toBe("unavailable");
    expect(sim.control.log.entries({ kind: "graph" }).length).toBe(0);
    const report4 = await getSyncStatus({ integration: m4.integration, state: m4.state });
    const dir4 = report4.kinds.find((k) => k.kind === "directory");
    expect(dir4).toMatchObject({ available: false, state: "unavailable" });
    expect(dir4?.unavailable.map((u) => u.part)).toEqual(["users", "groups", "memberships"]);
    expect(dir4?.unavailable[0]?.permissions).toEqual(["User.Read.All"]);
    expect(report4.kinds.find((k) => k.kind === "rooms")).toMatchObject({
      available: true,
      state: "succeeded",
    });

    // Modes 2 and 3: neither rooms nor directory; Graph is never called.
    for (const mode of ["delegated", "delegated-resource-only"] as const) {
      const h = harness(sim, conn, mode);
      sim.control.log.clear();
      expect((await runSync(h.deps, "rooms", "timer")).outcome).toBe("unavailable");
      expect((await runSync(h.deps, "directory", "timer")).outcome).toBe("unavailable");
      expect(sim.control.log.entries({ kind: "graph" }).length).toBe(0);
      const report = await getSyncStatus({ integration: h.integration, state: h.state });
      const rooms = report.kinds.find((k) => k.kind === "rooms");
      expect(rooms?.unavailable[0]).toMatchObject({ part: "rooms", permissions: ["Place.Read.All"] });
      expect(rooms?.unavailable[0]?.instead).toContain("/api/admin/rooms/import");
    }

    // Mode 1: both.
    const m1 = harness(sim, conn, "application");
    expect((await runSync(m1.deps, "rooms", "timer")).outcome).toBe("succeeded");
    expect((await runSync(m1.deps, "directory", "timer")).outcome).toBe("succeeded");
    const report1 = await getSyncStatus({ integration: m1.integration, state: m1.state });
    expect(report1.kinds.every((k) => k.available && k.state === "succeeded")).toBe(true);
    expect(report1.kinds.flatMap((k) => k.unavailable)).toEqual([]);
  });

  it("delegated import: checked with signed-in users' tokens, reported per room", async () => {
    const h = harness(sim, conn, "delegated");
    const facilities = [...sim.control.store.users.values()].find((u) => u.data.department === "Facilities")!;
    const other = [...sim.control.store.users.values()].find(
      (u) => !u.isRoomMailbox && u.data.department !== "Facilities",
    )!;
    // The importing admin has no rights on room calendars; a Facilities colleague who signed in has.
    h.tokens.signedIn.set("admin-1", other.data.userPrincipalName);
    h.tokens.signedIn.set("facilities-1", facilities.data.userPrincipalName);
    const csv = [
      "email,name,building,floor,capacity,timeZone",
      "room-hq-101@contoso.example,Aurora,Contoso HQ,1,4,W. Europe Standard Time",
      "nobody@contoso.example",
      "not-an-address",
      "room-hq-101@contoso.example",
    ].join("\n");
    const parsed = parseRoomCsv(csv);
    const deps = {
      integration: h.integration,
      probe: h.gateways.roomCalendarProbe(),
      tokens: h.tokens,
      store: h.store,
      defaultTimeZone: "UTC",
    };
    const result = await importRooms(deps, { ...parsed, actingUserId: "admin-1" });
    expect(result.outcomes.map((o) => [o.line, o.result, o.code])).toEqual([
      [2, "imported", undefined],
      [3, "refused", "not-found"],
      [4, "refused", "invalid-email"],
      [5, "refused", "duplicate"],
    ]);
    expect(await h.store.rooms.room("room-hq-101@contoso.example")).toMatchObject({
      displayName: "Aurora",
      buildingId: "contoso-hq",
      capacity: 4,
      timeZone: "Europe/Berlin",
      timeZoneSource: "admin",
      source: "import",
      active: true,
    });

    // Nobody signed in has rights on this room: said so, with what to do.
    h.tokens.signedIn.delete("facilities-1");
    const denied = await importRooms(deps, {
      lines: [{ email: "room-hq-102@contoso.example", line: 1 }],
      problems: [],
      actingUserId: "admin-1",
    });
    expect(denied.outcomes[0]).toMatchObject({ result: "refused", code: "access-denied" });
    expect(denied.outcomes[0]?.reason).toContain("Reviewer");

    // Application modes list rooms instead.
    const app = harness(sim, conn, "application");
    await expect(
      importRooms(
        { ...deps, integration: app.integration },
        { lines: parsed.lines, problems: [], actingUserId: "admin-1" },
      ),
    ).rejects.toMatchObject({ code: "not-available-in-mode" });
  });

  it("delegated import: a person's mailbox is stored only with the warning that it may not be a room", async () => {
    const h = harness(sim, conn, "delegated");
    const person = [...sim.control.store.users.values()].find(
      (u) => !u.isRoomMailbox && u.data.department !== "Facilities" && u.data.mail,
    )!;
    // The person imports their own mailbox: its calendar is readable, as a room's would be.
    h.tokens.signedIn.set("person-1", person.data.userPrincipalName);
    const result = await importRooms(
      {
        integration: h.integration,
        probe: h.gateways.roomCalendarProbe(),
        tokens: h.tokens,
        store: h.store,
        defaultTimeZone: "UTC",
      },
      { lines: [{ email: person.data.mail!, line: 1 }], problems: [], actingUserId: "person-1" },
    );
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]).toMatchObject({ result: "imported", email: person.data.mail });
    expect(result.outcomes[0]?.warning).toMatch(/^ONES could not confirm it is a room/);
  });
});

import { describe, expect, it } from "vitest";
import { groupFromDirectory, memberChanges, membersHash } from "../../../shared/domain/people/group";
import {
  hasAccess,
  isRoomMailbox,
  personFromDirectory,
  personHash,
  removedPerson,
} from "../../../shared/domain/people/person";
import {
  deriveBuilding,
  parseCapacity,
  roomFromPlace,
  roomHash,
  slug,
  type PlaceRoom,
} from "../../../shared/domain/rooms/room";
import { parseRoomCsv } from "../../../shared/domain/rooms/room-import";
import { toIanaZone } from "../../../shared/domain/rooms/time-zones";
import { bucketOf, contentHash } from "../../../shared/domain/sync/content-hash";
import { syncAvailability } from "../../../shared/domain/sync/sync-kinds";

const place: PlaceRoom = {
  id: "p1",
  emailAddress: "Room-1@Contoso.example",
  displayName: "Aurora",
  capacity: "12",
  building: " Contoso HQ ",
  floorNumber: 3,
  floorLabel: null,
  isWheelChairAccessible: true,
  bookingType: "reserved",
  tags: ["Whiteboard", "", "Display"],
  videoDeviceName: "Camera",
};
const ctx = { lists: [], buildingZones: new Map<string, string>(), defaultZone: "UTC" };

describe("rooms", () => {
  it("derives building, floor, capacity, bookability and tags", () => {
    const room = roomFromPlace(place, ctx);
    expect(room).toMatchObject({
      id: "room-1@contoso.example",
      buildingId: "contoso-hq",
      buildingName: "Contoso HQ",
      floorId: "contoso-hq:3",
      floorLabel: "3",
      capacity: 12,
      bookable: false,
      tags: ["Display", "Whiteboard"],
      devices: ["Camera"],
      timeZone: "UTC",
      timeZoneSource: "default",
    });
  });

  it("falls back to the room list name, then the address, for the building", () => {
    const list = { id: "l", email: "l@x", displayName: "Fabrikam Tower rooms", placeId: "l", city: null };
    expect(deriveBuilding({ ...place, building: null }, [list]).name).toBe("Fabrikam Tower");
    expect(
      deriveBuilding({ ...place, building: null, address: { street: "1 Main", city: "Oslo" } }, []).name,
    ).toBe("1 Main, Oslo");
    expect(deriveBuilding({ ...place, building: null }, []).id).toBe("unassigned");
  });

  it("zones: working hours (Windows names mapped), else kept, else building, else default", () => {
    expect(roomFromPlace(place, { ...ctx, workingHoursZone: "W. Europe Standard Time" }).timeZone).toBe(
      "Europe/Berlin",
    );
    expect(roomFromPlace(place, { ...ctx, workingHoursZone: "pacific standard time" }).timeZone).toBe(
      "America/Los_Angeles",
    );
    expect(roomFromPlace(place, { ...ctx, workingHoursZone: "Asia/Tokyo" }).timeZone).toBe("Asia/Tokyo");
    const kept = roomFromPlace(place, {
      ...ctx,
      previous: { timeZone: "Asia/Tokyo", timeZoneSource: "working-hours" },
    });
    expect(kept).toMatchObject({ timeZone: "Asia/Tokyo", timeZoneSource: "working-hours" });
    const building = roomFromPlace(place, {
      ...ctx,
      workingHoursZone: "Customized Time Zone",
      buildingZones: new Map([["contoso-hq", "Europe/Oslo"]]),
    });
    expect(building).toMatchObject({ timeZone: "Europe/Oslo", timeZoneSource: "building" });
    expect(toIanaZone("Not A Zone")).toBeUndefined();
    expect(toIanaZone("UTC")).toBe("Etc/UTC");
  });

  it("change detection ignores key order and bookkeeping", () => {
    const a = roomFromPlace(place, ctx);
    expect(roomHash(a)).toBe(roomHash({ ...a, deactivatedAt: "x" }));
    expect(roomHash(a)).not.toBe(roomHash({ ...a, capacity: 13 }));
    expect(contentHash({ a: 1, b: [1, 2] })).toBe(contentHash({ b: [1, 2], a: 1 }));
    expect(parseCapacity("x")).toBeNull();
    expect(slug("Zürich Büro 2")).toBe("zurich-buro-2");
    const spread = new Set(Array.from({ length: 500 }, (_, i) => bucketOf(`id-${i}`)));
    expect(spread.size).toBe(16);
  });

  it("parses the import CSV with a header, quotes and per-line problems", () => {
    const csv =
      'email,name\n"a@x.example","Room, A"\n\nnot-mail\nb@x.example,B,HQ,2,x\nc@x.example,,,,,Mars/Base';
    const { lines, problems } = parseRoomCsv(csv);
    expect(lines).toEqual([{ email: "a@x.example", displayName: "Room, A", line: 2 }]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [4, "invalid-email"],
      [5, "invalid-capacity"],
      [6, "invalid-time-zone"],
    ]);
  });
});

describe("people and groups", () => {
  it("maps users; disabled and removed people lose access", () => {
    const p = personFromDirectory({
      id: "u1",
      displayName: "Ann",
      mail: "Ann@X.example",
      accountEnabled: true,
    });
    expect(p).toMatchObject({ email: "ann@x.example", status: "active" });
    expect(hasAccess(p)).toBe(true);
    expect(hasAccess(personFromDirectory({ id: "u1", accountEnabled: false }))).toBe(false);
    expect(removedPerson(p, "u1", "changed")).toMatchObject({
      displayName: "Ann",
      status: "deleted",
      removedReason: "changed",
    });
    expect(removedPerson(p, "u1", "deleted").removedReason).toBe("deleted");
    expect(hasAccess(undefined)).toBe(false);
    expect(personHash(p)).not.toBe(personHash({ ...p, department: "R&D" }));
  });

  it("keeps room mailboxes out by address", () => {
    const rooms = new Set(["room-1@x.example"]);
    expect(isRoomMailbox({ id: "r", userPrincipalName: "Room-1@x.example" }, rooms)).toBe(true);
    expect(isRoomMailbox({ id: "u", mail: "ann@x.example" }, rooms)).toBe(false);
  });

  it("reads members@delta as adds and removes, users and nested groups", () => {
    const g = {
      id: "g1",
      displayName: "Team",
      securityEnabled: true,
      "members@delta": [
        { "@odata.type": "#microsoft.graph.user", id: "u1" },
        { "@odata.type": "#microsoft.graph.group", id: "g2" },
        { "@odata.type": "#microsoft.graph.user", id: "u3", "@removed": { reason: "deleted" } },
      ],
    };
    const { added, removed } = memberChanges(g);
    expect(added).toEqual([
      { groupId: "g1", memberId: "u1", memberType: "user" },
      { groupId: "g1", memberId: "g2", memberType: "group" },
    ]);
    expect(removed.map((m) => m.memberId)).toEqual(["u3"]);
    expect(groupFromDirectory(g).kind).toBe("security");
    expect(groupFromDirectory({ id: "g", groupTypes: ["Unified"] }).kind).toBe("microsoft365");
    expect(membersHash(["b", "a"])).toBe(membersHash(["a", "b"]));
  });
});

describe("sync availability per mode", () => {
  it("names the permission that would enable each missing part", () => {
    expect(syncAvailability("application", "rooms")).toMatchObject({ available: true, unavailable: [] });
    expect(syncAvailability("application", "directory")).toMatchObject({ available: true, unavailable: [] });
    const m4 = syncAvailability("application-resource-only", "directory");
    expect(m4.available).toBe(false);
    expect(m4.unavailable.flatMap((u) => u.permissions)).toEqual([
      "User.Read.All",
      "Group.Read.All",
      "Group.Read.All",
    ]);
    const m2 = syncAvailability("delegated", "rooms");
    expect(m2.available).toBe(false);
    expect(m2.unavailable[0]?.permissions).toEqual(["Place.Read.All"]);
    expect(syncAvailability("delegated", "directory").unavailable[0]?.instead).toContain("sign in");
  });
});

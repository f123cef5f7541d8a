import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { demoTenantSeed } from "../../../dev/m365/seed/demo-tenant";
import { applySeed, type TenantSeed } from "../../../dev/m365/seed/tenant-seed";
import { Clock } from "../../../dev/m365/store/clock";
import { TenantStore } from "../../../dev/m365/store/tenant-store";

/**
 * The demo tenant's directory and places (users, groups with their members, room lists, rooms, mailbox
 * settings, access policies) are part of the simulator's contract. This digest was taken before group
 * members were resolved through an index; that change is a pure speed-up and must leave every id,
 * member and setting exactly as it was.
 */
function directoryDigest(seed: TenantSeed): { digest: string; users: number; groups: number; rooms: number } {
  const store = new TenantStore(new Clock(), "digest");
  applySeed(store, seed);
  const hash = createHash("sha256");
  const line = (value: unknown) => hash.update(`${JSON.stringify(value)}\n`);
  for (const u of store.users.values()) line(u);
  for (const g of store.groups.values()) line({ ...g, members: [...g.members] });
  for (const [email, l] of store.roomLists) line([email, l]);
  for (const [email, r] of store.rooms) line([email, r]);
  for (const b of store.mailboxes.values()) line({ ...b, calendarPermissions: [...b.calendarPermissions] });
  line(store.applicationAccessPolicies);
  line([...store.userIndex]);
  return {
    digest: hash.digest("hex"),
    users: store.users.size,
    groups: store.groups.size,
    rooms: store.rooms.size,
  };
}

describe("demo tenant directory seed", () => {
  it("is identical to the state before group members were resolved through an index", () => {
    expect(directoryDigest(demoTenantSeed())).toEqual({
      digest: "6204b510209357b6d53b1a14fc0ffd45f5ae5f479d1dc2e89f882ae1cff23e31",
      users: 224,
      groups: 12,
      rooms: 24,
    });
  });

  it("resolves members given by group name or mail, nested groups included, as before", () => {
    const seed: TenantSeed = {
      domains: ["contoso.example"],
      users: [{ userPrincipalName: "a@contoso.example", displayName: "A" }],
      groups: [
        { displayName: "Inner", mail: "inner@contoso.example", members: ["a@contoso.example"] },
        { displayName: "Twin", mail: "twin@contoso.example", members: [] },
        { displayName: "twin@contoso.example", members: [] },
        { displayName: "Outer", members: ["Inner", "INNER@contoso.example", "twin@contoso.example"] },
      ],
    };
    expect(directoryDigest(seed)).toEqual({
      digest: "e00d84531c2cd134c5903f817cd05d70dbde2996ecf5fbd4d434a5ccab78aef2",
      users: 1,
      groups: 4,
      rooms: 0,
    });
  });
});

/**
 * The generated tenant the scale benchmarks seed into the M365 simulator: `users` people, `groups`
 * security groups (25 members on average, drawn with a fixed seed), `rooms` rooms in 20 room lists across
 * four time zones, under the demo tenant's id (so the simulator also seeds its week of meetings).
 */
import { demoTenantSeed } from "../dev/m365/seed/demo-tenant";
import type { SeedGroup, SeedRoom, SeedRoomList, SeedUser, TenantSeed } from "../dev/m365/seed/tenant-seed";
import { seededRandom } from "../dev/m365/faults/random";

export const MEMBERS_AVG = 25;
export const LISTS = 20;

export function scaleTenantSeed({
  users: USERS,
  groups: GROUPS,
  rooms: ROOMS,
}: {
  users: number;
  groups: number;
  rooms: number;
}): TenantSeed {
  const rand = seededRandom(7);
  const users: SeedUser[] = Array.from({ length: USERS }, (_, i) => ({
    userPrincipalName: `user${i}@contoso.example`,
    displayName: `User ${i}`,
    givenName: "User",
    surname: String(i),
    department: ["Engineering", "Sales", "Finance", "Facilities"][i % 4],
    jobTitle: "Specialist",
    officeLocation: `Building ${i % LISTS}`,
  }));
  const roomLists: SeedRoomList[] = Array.from({ length: LISTS }, (_, l) => ({
    emailAddress: `rooms-${l}@contoso.example`,
    displayName: `Building ${l} rooms`,
  }));
  const zones = [
    "W. Europe Standard Time",
    "Pacific Standard Time",
    "Tokyo Standard Time",
    "GMT Standard Time",
  ];
  const rooms: SeedRoom[] = Array.from({ length: ROOMS }, (_, r) => {
    const l = r % LISTS;
    const zone = zones[l % zones.length] as string;
    return {
      emailAddress: `room-${r}@contoso.example`,
      displayName: `Room ${r}`,
      capacity: 4 + (r % 12),
      building: `Building ${l}`,
      floorNumber: 1 + (Math.floor(r / LISTS) % 10),
      roomLists: [`rooms-${l}@contoso.example`],
      mailboxSettings: { timeZone: zone, workingHours: { timeZone: { name: zone } } },
    };
  });
  const groups: SeedGroup[] = Array.from({ length: GROUPS }, (_, g) => {
    const size = 5 + Math.floor(rand() * (2 * MEMBERS_AVG - 9));
    const members = new Set<string>();
    while (members.size < size) members.add(`user${Math.floor(rand() * USERS)}@contoso.example`);
    return { displayName: `Group ${g}`, securityEnabled: true, members: [...members] };
  });
  return {
    tenantId: "5f0c1b9e-6d6b-4c4e-9a61-0e5e2d6a7c01",
    displayName: "Bench tenant",
    domains: ["contoso.example"],
    users,
    roomLists,
    rooms,
    groups,
    apps: demoTenantSeed({ users: 1 }).apps ?? [],
  };
}

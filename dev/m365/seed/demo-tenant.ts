import { seededRandom } from "../faults/random";
import type { SeedApp, SeedGroup, SeedRoom, SeedRoomList, SeedUser, TenantSeed } from "./tenant-seed";

/**
 * The default demo tenant of `npm start`, generated deterministically: 2 domains, 2 buildings with
 * 2 floors each, 24 rooms in 2 room lists, 200 people, 12 groups, and one app registration per ONES
 * integration mode. `users` scales the people count (benchmarks seed 50,000).
 */
export interface DemoTenantOptions {
  seed?: number;
  users?: number;
}

export const DEMO_TENANT_ID = "5f0c1b9e-6d6b-4c4e-9a61-0e5e2d6a7c01";
export const DEMO_DOMAINS = ["contoso.example", "fabrikam.example"] as const;

/** Client ids and secrets of the demo app registrations, one per integration mode. */
export const DEMO_APPS = {
  applicationPermission: { clientId: "a1f00000-0000-4000-8000-000000000001", secret: "demo-secret-mode-1" },
  delegatedPermission: { clientId: "a1f00000-0000-4000-8000-000000000002", secret: "demo-secret-mode-2" },
  delegatedResourceOnly: { clientId: "a1f00000-0000-4000-8000-000000000003", secret: "demo-secret-mode-3" },
  applicationResourceOnly: { clientId: "a1f00000-0000-4000-8000-000000000004", secret: "demo-secret-mode-4" },
} as const;

/**
 * What every demo registration sets in its manifest: security groups in tokens (the integration's
 * admin group is a security group) and the ONES API's `access_as_user` scope.
 */
const DEMO_APP_MANIFEST = {
  groupMembershipClaims: "SecurityGroup",
  apiScopes: ["access_as_user"],
} as const satisfies Partial<SeedApp>;

export const DEMO_REDIRECT_URIS = [
  // `npm start` serves the app on http://127.0.0.1:7071 (PORT changes it; the stack then adds its own).
  "http://127.0.0.1:7071/api/auth/callback",
  "http://localhost:7071/api/auth/callback",
  "https://localhost:7071/api/auth/callback",
  "http://localhost:3000/auth/callback",
];

const FIRST = [
  "Adele",
  "Alex",
  "Allan",
  "Bianca",
  "Carlos",
  "Chen",
  "Diego",
  "Elena",
  "Emily",
  "Fatima",
  "Grady",
  "Hana",
  "Henrietta",
  "Isaiah",
  "Johanna",
  "Joni",
  "Kenji",
  "Lee",
  "Lidia",
  "Lynne",
  "Megan",
  "Miriam",
  "Nestor",
  "Noah",
  "Olga",
  "Patti",
  "Pradeep",
  "Priya",
  "Quentin",
  "Rafael",
  "Sakura",
  "Sofia",
  "Tomas",
  "Uma",
  "Vikram",
  "Wei",
  "Ximena",
  "Yusuf",
  "Zara",
  "Irvin",
];
const LAST = [
  "Adams",
  "Bauer",
  "Castillo",
  "Dubois",
  "Eriksen",
  "Fischer",
  "Garcia",
  "Hansen",
  "Ito",
  "Jansen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Nakamura",
  "Okafor",
  "Petrov",
  "Quinn",
  "Rossi",
  "Schmidt",
  "Tanaka",
  "Ueda",
  "Varga",
  "Wagner",
  "Xu",
  "Yilmaz",
  "Zhang",
  "Sellers",
  "Vance",
  "Lindqvist",
  "Brennan",
];
const DEPARTMENTS = [
  "Engineering",
  "Sales",
  "Marketing",
  "Finance",
  "People & Culture",
  "Facilities",
  "Leadership",
  "IT Operations",
];
const TITLES: Record<string, string[]> = {
  Engineering: ["Software Engineer", "Senior Engineer", "Engineering Manager"],
  Sales: ["Account Executive", "Sales Manager"],
  Marketing: ["Marketing Specialist", "Brand Manager"],
  Finance: ["Accountant", "Financial Analyst"],
  "People & Culture": ["HR Partner", "Recruiter"],
  Facilities: ["Facilities Coordinator", "Workplace Manager"],
  Leadership: ["Director", "Vice President"],
  "IT Operations": ["Systems Administrator", "Service Desk Analyst"],
};

interface Building {
  key: string;
  name: string;
  domain: string;
  city: string;
  countryOrRegion: string;
  street: string;
  postalCode: string;
  timeZone: string;
  lat: number;
  lon: number;
}

const BUILDINGS: Building[] = [
  {
    key: "hq",
    name: "Contoso HQ",
    domain: "contoso.example",
    city: "Amsterdam",
    countryOrRegion: "Netherlands",
    street: "Herengracht 100",
    postalCode: "1015 BS",
    timeZone: "W. Europe Standard Time",
    lat: 52.3731,
    lon: 4.8922,
  },
  {
    key: "tower",
    name: "Fabrikam Tower",
    domain: "fabrikam.example",
    city: "Seattle",
    countryOrRegion: "United States",
    street: "400 Pine St",
    postalCode: "98101",
    timeZone: "Pacific Standard Time",
    lat: 47.6114,
    lon: -122.3378,
  },
];

const ROOM_NAMES = [
  "Aurora",
  "Boreal",
  "Cascade",
  "Delta",
  "Ember",
  "Fjord",
  "Glacier",
  "Harbor",
  "Isle",
  "Juniper",
  "Kestrel",
  "Lagoon",
];

function workingHours(timeZone: string) {
  return {
    timeZone,
    workingHours: {
      daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"] as Array<
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday"
      >,
      startTime: "08:00:00.0000000",
      endTime: "18:00:00.0000000",
      timeZone: { name: timeZone },
    },
  };
}

/** A building's postal address and coordinates, as its room list and rooms carry them. */
function location(b: Building) {
  return {
    address: {
      street: b.street,
      city: b.city,
      postalCode: b.postalCode,
      countryOrRegion: b.countryOrRegion,
      state: null,
    },
    geoCoordinates: { latitude: b.lat, longitude: b.lon },
  };
}

const roomListAddress = (b: Building): string => `rooms-${b.key}@${b.domain}`;

/** The delegated scopes of the ONES app registrations in modes 2 and 3. */
const ONES_DELEGATED_SCOPES = [
  "Calendars.ReadWrite.Shared",
  "User.Read",
  "openid",
  "profile",
  "offline_access",
];

export function demoTenantSeed(options: DemoTenantOptions = {}): TenantSeed {
  const rand = seededRandom(options.seed ?? 42);
  const pick = <T>(arr: readonly T[]): T => arr[Math.floor(rand() * arr.length)] as T;
  const userCount = options.users ?? 200;

  const roomLists: SeedRoomList[] = BUILDINGS.map((b) => ({
    emailAddress: roomListAddress(b),
    displayName: `${b.name} rooms`,
    ...location(b),
  }));

  const rooms: SeedRoom[] = [];
  BUILDINGS.forEach((b, bi) => {
    for (let floor = 1; floor <= 2; floor++) {
      for (let i = 0; i < 6; i++) {
        const name = ROOM_NAMES[(floor - 1) * 6 + i] as string;
        const capacity = [4, 6, 8, 10, 12, 20][i] as number;
        rooms.push({
          emailAddress: `room-${b.key}-${floor}${String(i + 1).padStart(2, "0")}@${b.domain}`,
          displayName: `${b.name} ${floor}.${String(i + 1).padStart(2, "0")} ${name}`,
          capacity,
          building: b.name,
          floorNumber: floor,
          floorLabel: `${floor}`,
          bookingType: bi === 1 && floor === 2 && i === 5 ? "reserved" : "standard",
          isWheelChairAccessible: i % 2 === 0,
          tags: capacity >= 10 ? ["Video conferencing", "Whiteboard"] : ["Display"],
          audioDeviceName: capacity >= 8 ? "Ceiling microphones" : undefined,
          videoDeviceName: capacity >= 10 ? "Teams Room camera" : undefined,
          displayDeviceName: "75-inch display",
          ...location(b),
          roomLists: [roomListAddress(b)],
          mailboxSettings: workingHours(b.timeZone),
        });
      }
    }
  });

  const users: SeedUser[] = [];
  const taken = new Set<string>();
  const departmentOf: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const building =
      i < Math.round(userCount * 0.7) ? (BUILDINGS[0] as Building) : (BUILDINGS[1] as Building);
    const given = pick(FIRST);
    const sur = pick(LAST);
    let alias = `${given}.${sur}`.toLowerCase();
    if (taken.has(alias)) alias = `${alias}${i}`;
    taken.add(alias);
    const department = i === 0 ? "IT Operations" : pick(DEPARTMENTS);
    departmentOf.push(department);
    users.push({
      userPrincipalName: `${alias}@${building.domain}`,
      displayName: `${given} ${sur}`,
      givenName: given,
      surname: sur,
      department,
      jobTitle: pick(TITLES[department] ?? ["Specialist"]),
      officeLocation: building.name,
      businessPhones: [`+1 555 01${String(i % 10000).padStart(4, "0")}`],
      preferredLanguage: building.key === "hq" ? "nl-NL" : "en-US",
      usageLocation: building.key === "hq" ? "NL" : "US",
      mailboxSettings: workingHours(building.timeZone),
    });
  }

  const byDomain = (d: string) =>
    users.filter((u) => u.userPrincipalName.endsWith(`@${d}`)).map((u) => u.userPrincipalName);
  const byDept = (d: string) => users.filter((_, i) => departmentOf[i] === d).map((u) => u.userPrincipalName);
  const groups: SeedGroup[] = [
    {
      displayName: "All Contoso",
      groupTypes: ["Unified"],
      mailNickname: "allcontoso",
      members: byDomain("contoso.example"),
    },
    {
      displayName: "All Fabrikam",
      groupTypes: ["Unified"],
      mailNickname: "allfabrikam",
      mail: "allfabrikam@fabrikam.example",
      members: byDomain("fabrikam.example"),
    },
    ...DEPARTMENTS.map((d) => ({
      displayName: d,
      description: `${d} department`,
      securityEnabled: true,
      members: byDept(d),
    })),
    {
      displayName: "ONES Pilot",
      description: "People trying ONES first",
      securityEnabled: true,
      members: ["Facilities", ...users.slice(0, 10).map((u) => u.userPrincipalName)],
    },
    {
      displayName: "Room mailboxes",
      description: "Mail-enabled security group scoping application access policies to rooms",
      mailEnabled: true,
      securityEnabled: true,
      mailNickname: "roommailboxes",
      members: rooms.map((r) => r.emailAddress),
    },
  ];

  const apps: SeedApp[] = [
    {
      clientId: DEMO_APPS.applicationPermission.clientId,
      displayName: "ONES (application permission)",
      secrets: [DEMO_APPS.applicationPermission.secret],
      redirectUris: DEMO_REDIRECT_URIS,
      ...DEMO_APP_MANIFEST,
      applicationPermissions: ["Calendars.ReadWrite", "User.Read.All", "Group.Read.All", "Place.Read.All"],
      delegatedPermissions: ["User.Read", "openid", "profile", "offline_access"],
    },
    {
      clientId: DEMO_APPS.delegatedPermission.clientId,
      displayName: "ONES (delegated permission)",
      secrets: [DEMO_APPS.delegatedPermission.secret],
      redirectUris: DEMO_REDIRECT_URIS,
      ...DEMO_APP_MANIFEST,
      delegatedPermissions: [...ONES_DELEGATED_SCOPES],
    },
    {
      clientId: DEMO_APPS.delegatedResourceOnly.clientId,
      displayName: "ONES (delegated resource only)",
      secrets: [DEMO_APPS.delegatedResourceOnly.secret],
      redirectUris: DEMO_REDIRECT_URIS,
      ...DEMO_APP_MANIFEST,
      delegatedPermissions: [...ONES_DELEGATED_SCOPES],
    },
    {
      clientId: DEMO_APPS.applicationResourceOnly.clientId,
      displayName: "ONES (application resource only)",
      secrets: [DEMO_APPS.applicationResourceOnly.secret],
      redirectUris: DEMO_REDIRECT_URIS,
      ...DEMO_APP_MANIFEST,
      // Mode 4 as recommended: no tenant-wide Calendars consent in Entra; an Exchange RBAC assignment
      // scoped to room mailboxes grants calendar access instead (see rbacAssignments).
      applicationPermissions: ["Place.Read.All"],
    },
  ];

  const facilities = byDept("Facilities");
  const calendarPermissions = rooms.flatMap((r) =>
    facilities.map((u) => ({ mailbox: r.emailAddress, user: u, role: "write" as const })),
  );

  return {
    tenantId: DEMO_TENANT_ID,
    displayName: "Contoso (ONES demo)",
    domains: [...DEMO_DOMAINS],
    users,
    groups,
    roomLists,
    rooms,
    apps,
    calendarPermissions,
    rbacAssignments: [
      {
        appId: DEMO_APPS.applicationResourceOnly.clientId,
        role: "Application Calendars.ReadWrite",
        scope: "rooms",
      },
    ],
  };
}

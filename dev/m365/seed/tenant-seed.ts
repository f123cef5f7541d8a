import type { GroupMembershipClaims } from "../entra/app-manifest";
import type {
  MailboxSettings,
  PhysicalAddress,
  OutlookGeoCoordinates,
} from "@microsoft/microsoft-graph-types";
import type { TenantStore } from "../store/tenant-store";
import type {
  AppRegistration,
  ApplicationAccessPolicy,
  CalendarRole,
  RbacAssignment,
  RoomRecord,
  UserRecord,
} from "../store/types";
import { stableGuid } from "./ids";

/**
 * The JSON description of a tenant (control API: POST /_sim/tenant, or `control.seed(seed)`).
 * Everything but `domains` is optional; ids are derived from names when absent, so the same seed
 * always produces the same tenant.
 */
export interface TenantSeed {
  tenantId?: string;
  displayName?: string;
  /** Verified domains; the first is the default. */
  domains: string[];
  users?: SeedUser[];
  groups?: SeedGroup[];
  roomLists?: SeedRoomList[];
  rooms?: SeedRoom[];
  apps?: SeedApp[];
  /** Calendar folder permissions: `user` gets `role` on `mailbox`'s calendar (ids or addresses). */
  calendarPermissions?: Array<{ mailbox: string; user: string; role: CalendarRole }>;
  /** `group` is a group id, mail or display name. */
  applicationAccessPolicies?: Array<{
    appId: string;
    accessRight: ApplicationAccessPolicy["accessRight"];
    group: string;
  }>;
  rbacAssignments?: RbacAssignment[];
  /** Sections for other modules (e.g. `calendars`), handed to each module's `seed` hook. */
  extensions?: Record<string, unknown>;
}

export interface SeedUser {
  id?: string;
  userPrincipalName: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  jobTitle?: string;
  department?: string;
  officeLocation?: string;
  mobilePhone?: string;
  businessPhones?: string[];
  preferredLanguage?: string;
  usageLocation?: string;
  accountEnabled?: boolean;
  mailboxSettings?: MailboxSettings;
}

export interface SeedGroup {
  id?: string;
  displayName: string;
  description?: string;
  mailNickname?: string;
  mail?: string;
  mailEnabled?: boolean;
  securityEnabled?: boolean;
  /** ["Unified"] for Microsoft 365 groups. */
  groupTypes?: string[];
  /** Member user/group ids, UPNs, mail addresses or group display names. */
  members?: string[];
}

export interface SeedRoomList {
  id?: string;
  emailAddress: string;
  displayName: string;
  address?: PhysicalAddress;
  geoCoordinates?: OutlookGeoCoordinates;
  phone?: string;
}

export interface SeedRoom {
  /** Entra object id of the room mailbox. */
  mailboxId?: string;
  /** Place id (as /places returns it). */
  id?: string;
  emailAddress: string;
  displayName: string;
  capacity?: number;
  building?: string;
  floorNumber?: number;
  floorLabel?: string;
  bookingType?: "unknown" | "standard" | "reserved";
  isWheelChairAccessible?: boolean;
  tags?: string[];
  audioDeviceName?: string;
  videoDeviceName?: string;
  displayDeviceName?: string;
  nickname?: string;
  label?: string;
  phone?: string;
  address?: PhysicalAddress;
  geoCoordinates?: OutlookGeoCoordinates;
  hiddenFromAddressList?: boolean;
  /** Room-list email addresses containing this room. */
  roomLists?: string[];
  mailboxSettings?: MailboxSettings;
}

export interface SeedApp {
  clientId?: string;
  displayName: string;
  /** Plain secret values; a string or {value, expiresAt(ISO)}. */
  secrets?: Array<string | { value: string; expiresAt?: string }>;
  redirectUris?: string[];
  publicClient?: boolean;
  applicationPermissions?: string[];
  delegatedPermissions?: string[];
  /** Manifest `groupMembershipClaims` (default: none, so tokens carry no `groups`). */
  groupMembershipClaims?: GroupMembershipClaims;
  /** Delegated scopes the app's own API exposes, e.g. `["access_as_user"]`. */
  apiScopes?: string[];
  /** Format of access tokens for the app's API (1 unless set, as in Entra). */
  accessTokenAcceptedVersion?: 1 | 2;
}

export function appFromSeed(tenantId: string, a: SeedApp): AppRegistration {
  const clientId = a.clientId ?? stableGuid(`${tenantId}/app`, a.displayName);
  return {
    clientId,
    servicePrincipalId: stableGuid(`${tenantId}/sp`, clientId),
    displayName: a.displayName,
    secrets: (a.secrets ?? []).map((s, i) => {
      const value = typeof s === "string" ? s : s.value;
      const expiresAt =
        typeof s === "string" || s.expiresAt === undefined ? undefined : Date.parse(s.expiresAt);
      return { value, keyId: stableGuid(`${clientId}/secret`, String(i)), expiresAt };
    }),
    redirectUris: [...(a.redirectUris ?? [])],
    publicClient: a.publicClient ?? false,
    applicationPermissions: [...(a.applicationPermissions ?? [])],
    delegatedPermissions: [...(a.delegatedPermissions ?? [])],
    ...(a.groupMembershipClaims === undefined ? {} : { groupMembershipClaims: a.groupMembershipClaims }),
    ...(a.apiScopes === undefined ? {} : { apiScopes: [...a.apiScopes] }),
    ...(a.accessTokenAcceptedVersion === undefined
      ? {}
      : { accessTokenAcceptedVersion: a.accessTokenAcceptedVersion }),
  };
}

const CREATED = "2024-01-15T09:00:00Z";

/** A seeded user's object id: the seed's, else derived from the UPN. */
export function seedUserId(tenantId: string, u: SeedUser): string {
  return u.id ?? stableGuid(`${tenantId}/user`, u.userPrincipalName.toLowerCase());
}

/** A seeded group's object id: the seed's, else derived from the display name. */
export function seedGroupId(tenantId: string, g: SeedGroup): string {
  return g.id ?? stableGuid(`${tenantId}/group`, g.displayName.toLowerCase());
}

/** The user properties a seed entry sets (Graph's default set, plus `accountEnabled` and `department`). */
export function seedUserProperties(id: string, u: SeedUser, accountEnabledByDefault: boolean) {
  return {
    id,
    businessPhones: u.businessPhones ?? [],
    displayName: u.displayName,
    givenName: u.givenName ?? null,
    jobTitle: u.jobTitle ?? null,
    mail: u.mail ?? u.userPrincipalName,
    mobilePhone: u.mobilePhone ?? null,
    officeLocation: u.officeLocation ?? null,
    preferredLanguage: u.preferredLanguage ?? null,
    surname: u.surname ?? null,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled ?? accountEnabledByDefault,
    department: u.department ?? null,
  };
}

function userRecord(tenantId: string, u: SeedUser, isRoom: boolean): UserRecord {
  const id = seedUserId(tenantId, u);
  return {
    id,
    isRoomMailbox: isRoom,
    data: {
      ...seedUserProperties(id, u, !isRoom),
      mailNickname: u.userPrincipalName.split("@")[0] ?? null,
      usageLocation: u.usageLocation ?? null,
      userType: "Member",
      createdDateTime: CREATED,
      proxyAddresses: [`SMTP:${u.mail ?? u.userPrincipalName}`],
      showInAddressList: null,
      deletedDateTime: null,
    },
  };
}

/** Replaces the store's content with the seed. Fast enough for 50,000 users in well under a second. */
export function applySeed(store: TenantStore, seed: TenantSeed): void {
  const tenantId = seed.tenantId ?? stableGuid("tenant", seed.domains[0] ?? "tenant");
  store.reset(tenantId, seed.displayName ?? seed.domains[0] ?? "Simulated tenant");
  store.domains = [...seed.domains];

  for (const u of seed.users ?? []) {
    const rec = userRecord(tenantId, u, false);
    store.bulkLoadUser(rec);
    if (u.mailboxSettings) Object.assign(store.mailbox(rec.id).settings, u.mailboxSettings);
  }

  for (const l of seed.roomLists ?? []) {
    const id = l.id ?? stableGuid(`${tenantId}/roomlist`, l.emailAddress.toLowerCase());
    store.roomLists.set(l.emailAddress.toLowerCase(), {
      id,
      rooms: [],
      data: {
        id,
        displayName: l.displayName,
        emailAddress: l.emailAddress,
        address: l.address ?? null,
        geoCoordinates: l.geoCoordinates ?? null,
        phone: l.phone ?? null,
      },
    });
  }

  for (const r of seed.rooms ?? []) {
    const mailbox = userRecord(
      tenantId,
      {
        id: r.mailboxId,
        userPrincipalName: r.emailAddress,
        displayName: r.displayName,
        mail: r.emailAddress,
      },
      true,
    );
    // Exchange sets a room mailbox's Entra account disabled and marks it a resource account.
    mailbox.data.accountEnabled = false;
    if (r.hiddenFromAddressList) mailbox.data.showInAddressList = false;
    store.bulkLoadUser(mailbox);
    const box = store.mailbox(mailbox.id);
    if (r.mailboxSettings) Object.assign(box.settings, r.mailboxSettings);
    const placeId = r.id ?? stableGuid(`${tenantId}/place`, r.emailAddress.toLowerCase());
    const room: RoomRecord = {
      placeId,
      mailboxId: mailbox.id,
      hiddenFromAddressList: r.hiddenFromAddressList ?? false,
      roomLists: (r.roomLists ?? []).map((x) => x.toLowerCase()),
      data: {
        id: placeId,
        emailAddress: r.emailAddress,
        displayName: r.displayName,
        address: r.address ?? null,
        geoCoordinates: r.geoCoordinates ?? null,
        phone: r.phone ?? null,
        nickname: r.nickname ?? r.displayName,
        label: r.label ?? null,
        capacity: r.capacity ?? null,
        building: r.building ?? null,
        floorNumber: r.floorNumber ?? null,
        floorLabel: r.floorLabel ?? null,
        audioDeviceName: r.audioDeviceName ?? null,
        videoDeviceName: r.videoDeviceName ?? null,
        displayDeviceName: r.displayDeviceName ?? null,
        isWheelChairAccessible: r.isWheelChairAccessible ?? false,
        bookingType: r.bookingType ?? "standard",
        tags: r.tags ?? [],
      },
    };
    store.rooms.set(r.emailAddress.toLowerCase(), room);
    for (const listEmail of room.roomLists) {
      const list = store.roomLists.get(listEmail);
      if (!list) throw new Error(`room ${r.emailAddress} names unknown room list ${listEmail}`);
      list.rooms.push(r.emailAddress.toLowerCase());
    }
  }

  // Groups: create all first, then resolve members (members may be groups).
  const groupSeeds = seed.groups ?? [];
  const created = groupSeeds.map((g) => {
    const id = seedGroupId(tenantId, g);
    const nick = g.mailNickname ?? g.displayName.replace(/[^A-Za-z0-9]/g, "");
    const mailEnabled = g.mailEnabled ?? g.groupTypes?.includes("Unified") ?? false;
    const rec = {
      id,
      members: new Set<string>(),
      data: {
        id,
        displayName: g.displayName,
        description: g.description ?? null,
        mailNickname: nick,
        mail: g.mail ?? (mailEnabled ? `${nick}@${seed.domains[0] ?? "example.com"}` : null),
        mailEnabled,
        securityEnabled: g.securityEnabled ?? true,
        groupTypes: g.groupTypes ?? [],
        visibility: g.groupTypes?.includes("Unified") ? "Private" : null,
        createdDateTime: CREATED,
        deletedDateTime: null,
        classification: null,
        proxyAddresses:
          g.mail || mailEnabled ? [`SMTP:${g.mail ?? `${nick}@${seed.domains[0] ?? "example.com"}`}`] : [],
        securityIdentifier: null,
        renewedDateTime: CREATED,
      },
    };
    store.bulkLoadGroup(rec);
    return rec;
  });
  // Groups by display name and by mail, each name to its first group in seed order: a member given by
  // name resolves in constant time, however many groups the tenant has.
  const groupOrder = new Map([...store.groups.keys()].map((id, i) => [id, i]));
  const byName = new Map<string, string>();
  const byMail = new Map<string, string>();
  for (const g of store.groups.values()) {
    if (!byName.has(g.data.displayName)) byName.set(g.data.displayName, g.id);
    const mail = g.data.mail?.toLowerCase();
    if (mail !== undefined && !byMail.has(mail)) byMail.set(mail, g.id);
  }
  const resolveMember = (ref: string): string => {
    const user = store.findUser(ref);
    if (user) return user.id;
    if (store.groups.has(ref)) return ref;
    // The first group in seed order whose name or mail matches.
    const found = [byName.get(ref), byMail.get(ref.toLowerCase())]
      .filter((id): id is string => id !== undefined)
      .sort((a, b) => (groupOrder.get(a) ?? 0) - (groupOrder.get(b) ?? 0))[0];
    if (found !== undefined) return found;
    throw new Error(`group member '${ref}' is neither a user nor a group in the seed`);
  };
  groupSeeds.forEach((g, i) => {
    const rec = created[i];
    if (rec) for (const m of g.members ?? []) rec.members.add(resolveMember(m));
  });

  for (const a of seed.apps ?? []) {
    const app = appFromSeed(tenantId, a);
    store.apps.set(app.clientId, app);
  }

  for (const p of seed.calendarPermissions ?? []) {
    const mailbox = store.findUser(p.mailbox);
    const user = store.findUser(p.user);
    if (!mailbox || !user)
      throw new Error(`calendar permission names unknown mailbox or user: ${p.mailbox} / ${p.user}`);
    store.mailbox(mailbox.id).calendarPermissions.set(user.id, p.role);
  }
  for (const p of seed.applicationAccessPolicies ?? []) {
    store.applicationAccessPolicies.push({
      appId: p.appId,
      accessRight: p.accessRight,
      groupId: resolveMember(p.group),
    });
  }
  for (const r of seed.rbacAssignments ?? []) store.rbacAssignments.push({ ...r });
}

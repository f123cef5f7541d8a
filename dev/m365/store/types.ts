import type { Group, MailboxSettings, Room, RoomList, User } from "@microsoft/microsoft-graph-types";

/**
 * Records held by the in-memory tenant store. Graph-facing data is kept in Graph's own shapes
 * (`@microsoft/microsoft-graph-types`); simulator-only facts sit beside it.
 */

export interface UserRecord {
  id: string;
  /** The Graph representation (full property set the simulator knows). */
  data: User & { id: string; userPrincipalName: string; displayName: string };
  /** Room mailboxes are Entra users too; they also have a RoomRecord keyed by the same mailbox id. */
  isRoomMailbox: boolean;
  /** Soft-deleted users are in the recycle bin (delta reports them as `@removed: changed`). */
  deletedAt?: number;
}

export interface GroupRecord {
  id: string;
  data: Group & { id: string; displayName: string };
  /** Member object ids (users or groups), in insertion order. */
  members: Set<string>;
  deletedAt?: number;
}

export interface RoomRecord {
  /** The id of the room's place entry (differs from the mailbox's user id, as in Graph). */
  placeId: string;
  /** The Entra object id of the room mailbox (a UserRecord). */
  mailboxId: string;
  data: Room & { id: string; emailAddress: string; displayName: string };
  /** Hidden from the global address list: Graph's /places does not return it. */
  hiddenFromAddressList: boolean;
  /** Email addresses of the room lists that contain this room. */
  roomLists: string[];
}

export interface RoomListRecord {
  id: string;
  data: RoomList & { id: string; emailAddress: string; displayName: string };
  /** Room email addresses in the list. */
  rooms: string[];
}

export interface AppSecret {
  /** Shown once in Entra; here the plain value the client sends. */
  value: string;
  keyId: string;
  /** Epoch ms; undefined = never expires. */
  expiresAt?: number;
}

/** An Entra app registration together with its service principal and admin consent in this tenant. */
export interface AppRegistration {
  clientId: string;
  /** Object id of the service principal (the `oid` of app-only tokens). */
  servicePrincipalId: string;
  displayName: string;
  secrets: AppSecret[];
  redirectUris: string[];
  /** "Allow public client flows": the token endpoint accepts it without a secret. */
  publicClient: boolean;
  /** Application permissions (app roles on Microsoft Graph) with admin consent: the `roles` claim. */
  applicationPermissions: string[];
  /** Delegated permissions with admin consent (tenant-wide): what `scp` may carry. */
  delegatedPermissions: string[];
}

export type CalendarRole =
  | "none"
  | "freeBusyRead"
  | "limitedRead"
  | "read"
  | "write"
  | "delegateWithoutPrivateEventAccess"
  | "delegateWithPrivateEventAccess";

/** Exchange `New-ApplicationAccessPolicy`: restricts (or denies) an app to members of a mail-enabled group. */
export interface ApplicationAccessPolicy {
  appId: string;
  accessRight: "RestrictAccess" | "DenyAccess";
  /** Group object id whose (direct) members are the policy's scope. */
  groupId: string;
}

/** Exchange RBAC for applications: a management role assignment with a resource scope. */
export interface RbacAssignment {
  appId: string;
  /** e.g. "Application Calendars.ReadWrite", "Application Calendars.Read", "Application Mail.Send". */
  role: string;
  /** "rooms" = RecipientTypeDetails -eq 'RoomMailbox'; or an explicit mailbox list (ids or addresses). */
  scope: "rooms" | "all" | { mailboxes: string[] };
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  cloud: CloudName;
  expiresAt: number;
  redeemed: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  clientId: string;
  userId: string;
  scopes: string[];
  issuedAt: number;
  /** Sliding inactivity window end (90 days after last use). */
  expiresAt: number;
  revoked: boolean;
  cloud: CloudName;
}

export type CloudName = "global" | "china";

/**
 * Per-mailbox state. The calendar module (dev/m365/calendar) adds its own slot by declaration merging:
 *
 *   declare module "../store/types" { interface MailboxExtensions { calendar: MyCalendarState } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MailboxExtensions {}

export interface MailboxState {
  /** Entra object id of the mailbox owner (user or room). */
  id: string;
  /** Calendar folder permissions granted to other users: userId → role. */
  calendarPermissions: Map<string, CalendarRole>;
  /** GET /users/{id}/mailboxSettings (time zone, working hours, …). */
  settings: MailboxSettings;
  ext: Partial<MailboxExtensions>;
}

/** One entry in the directory change journal that feeds /users/delta and /groups/delta. */
export interface DirectoryChange {
  seq: number;
  kind: "user" | "group";
  id: string;
  /** Properties changed; empty for membership-only changes. `["*"]` = everything (created/restored). */
  props: string[];
  membersAdded?: string[];
  membersRemoved?: string[];
  /** Set when the object was deleted: soft ("changed") or hard ("deleted"). */
  removed?: "changed" | "deleted";
  at: number;
}

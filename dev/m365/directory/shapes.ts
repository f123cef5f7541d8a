import type { RequestContext } from "../http/context";
import type { GroupRecord, UserRecord } from "../store/types";
import type { FilterSpec } from "../http/odata-filter";
import { project } from "../http/odata";
import { hasPermission, type PermissionRequirement } from "../auth/permissions";

/** Default property sets and filter support of the directory endpoints, per Graph's v1.0 docs. */

export const USER_DEFAULT_PROPERTIES = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
] as const;

/** Group GETs return the whole default set; the simulator stores only those. */
export function groupDefaultProperties(g: GroupRecord): string[] {
  return Object.keys(g.data);
}

/**
 * `$filter` support on users (a subset of the user resource's "Supports $filter" notes).
 * `advanced` operators need ConsistencyLevel: eventual and $count=true.
 */
export const USER_FILTER: FilterSpec = {
  id: { ops: ["eq", "in"], advanced: ["ne", "not"] },
  userPrincipalName: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "endsWith"] },
  displayName: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le", "endsWith"] },
  mail: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le", "endsWith"] },
  givenName: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le"] },
  surname: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le"] },
  jobTitle: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le"] },
  mailNickname: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le"] },
  accountEnabled: { ops: ["eq"], advanced: ["ne", "not"] },
  userType: { ops: ["eq", "in"], advanced: ["ne", "not"] },
  usageLocation: { ops: ["eq"], advanced: ["ne", "not", "ge", "le", "startsWith"] },
  department: { ops: [], advanced: ["eq", "ne", "not", "ge", "le", "in"] },
  officeLocation: { ops: [], advanced: ["eq", "ne", "not", "ge", "le", "in", "startsWith"] },
  createdDateTime: { ops: [], advanced: ["eq", "ne", "not", "ge", "le", "in"] },
  proxyAddresses: { ops: ["any"], advanced: ["not"] },
  businessPhones: { ops: ["any"], advanced: ["not"] },
};

export const USER_ORDERBY = {
  default: ["displayName", "userPrincipalName"],
  advanced: ["givenName", "surname", "mail", "jobTitle", "createdDateTime", "department", "officeLocation"],
};

export const GROUP_FILTER: FilterSpec = {
  id: { ops: ["eq", "in"], advanced: ["ne", "not"] },
  displayName: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le", "endsWith"] },
  mail: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le", "endsWith"] },
  mailNickname: { ops: ["eq", "in", "startsWith"], advanced: ["ne", "not", "ge", "le", "endsWith"] },
  mailEnabled: { ops: ["eq"], advanced: ["ne", "not"] },
  securityEnabled: { ops: ["eq"], advanced: ["ne", "not"] },
  groupTypes: { ops: ["any"], advanced: ["not"] },
  description: { ops: [], advanced: ["eq", "ne", "not", "ge", "le", "startsWith"] },
  createdDateTime: { ops: [], advanced: ["eq", "ne", "not", "ge", "le", "in"] },
  proxyAddresses: { ops: ["any"], advanced: ["not"] },
};

export const GROUP_ORDERBY = {
  default: ["displayName"],
  advanced: ["createdDateTime", "mail", "mailNickname"],
};

/** Permissions that let a caller read full user objects (otherwise members come back as id + type only). */
export const USER_READ_APP = [
  "User.Read.All",
  "User.ReadWrite.All",
  "User.ReadBasic.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
export const USER_READ_DELEGATED = [
  "User.ReadBasic.All",
  "User.Read.All",
  "User.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
export const GROUP_READ_APP = [
  "Group.Read.All",
  "Group.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
export const GROUP_READ_DELEGATED = [
  "Group.Read.All",
  "Group.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
export const MEMBER_READ_APP = ["GroupMember.Read.All", "GroupMember.ReadWrite.All", ...GROUP_READ_APP];
export const MEMBER_READ_DELEGATED = [
  "GroupMember.Read.All",
  "GroupMember.ReadWrite.All",
  ...GROUP_READ_DELEGATED,
];

/** The permission requirements of reading users, groups and group members. */
export const USER_READ: PermissionRequirement = {
  application: USER_READ_APP,
  delegated: USER_READ_DELEGATED,
};
export const GROUP_READ: PermissionRequirement = {
  application: GROUP_READ_APP,
  delegated: GROUP_READ_DELEGATED,
};
export const MEMBER_READ: PermissionRequirement = {
  application: MEMBER_READ_APP,
  delegated: MEMBER_READ_DELEGATED,
};

export function renderUser(u: UserRecord, select: string[] | undefined): Record<string, unknown> {
  return project(u.data as unknown as Record<string, unknown>, select, USER_DEFAULT_PROPERTIES);
}

export function renderGroup(g: GroupRecord, select: string[] | undefined): Record<string, unknown> {
  return project(g.data as unknown as Record<string, unknown>, select, groupDefaultProperties(g));
}

export function canReadUsers(ctx: RequestContext): boolean {
  return ctx.auth !== undefined && hasPermission(ctx.auth, USER_READ);
}

export function canReadGroups(ctx: RequestContext): boolean {
  return ctx.auth !== undefined && hasPermission(ctx.auth, GROUP_READ);
}

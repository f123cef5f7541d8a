import { contentHash } from "../sync/content-hash";

export interface DirectoryMemberRef {
  readonly "@odata.type"?: string;
  readonly id: string;
  readonly "@removed"?: { readonly reason?: string };
}

/** A group as Graph's /groups/delta returns it, with `members@delta` when members are selected. */
export interface DirectoryGroup {
  readonly id: string;
  readonly displayName?: string | null;
  readonly description?: string | null;
  readonly mail?: string | null;
  readonly mailEnabled?: boolean | null;
  readonly securityEnabled?: boolean | null;
  readonly groupTypes?: readonly string[] | null;
  readonly "members@delta"?: readonly DirectoryMemberRef[];
  readonly "@removed"?: { readonly reason?: string };
}

export const groupSelect = [
  "id",
  "displayName",
  "description",
  "mail",
  "mailEnabled",
  "securityEnabled",
  "groupTypes",
  "members",
] as const;

export interface Group {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly email: string | null;
  readonly kind: "microsoft365" | "security" | "distribution" | "mail-enabled-security";
  readonly status: "active" | "deleted";
}

export type MemberType = "user" | "group";

export interface Membership {
  readonly groupId: string;
  readonly memberId: string;
  readonly memberType: MemberType;
}

export function groupFromDirectory(g: DirectoryGroup): Group {
  const unified = (g.groupTypes ?? []).includes("Unified");
  const kind: Group["kind"] = unified
    ? "microsoft365"
    : g.securityEnabled === true
      ? g.mailEnabled === true
        ? "mail-enabled-security"
        : "security"
      : "distribution";
  return {
    id: g.id,
    displayName: g.displayName?.trim() || g.id,
    description: g.description?.trim() || null,
    email: g.mail?.trim().toLowerCase() || null,
    kind,
    status: "active",
  };
}

export function groupHash(group: Group): string {
  return contentHash(group);
}

/** Members reported in one delta item, split into those added and those removed. */
export function memberChanges(g: DirectoryGroup): { added: Membership[]; removed: Membership[] } {
  const added: Membership[] = [];
  const removed: Membership[] = [];
  for (const m of g["members@delta"] ?? []) {
    const memberType: MemberType = (m["@odata.type"] ?? "").toLowerCase().endsWith(".group")
      ? "group"
      : "user";
    const membership = { groupId: g.id, memberId: m.id, memberType };
    (m["@removed"] === undefined ? added : removed).push(membership);
  }
  return { added, removed };
}

/**
 * An order-independent fingerprint of a member set, so a full resync queries a group's stored
 * members only when they differ.
 */
export function membersHash(memberIds: Iterable<string>): string {
  return contentHash([...memberIds].sort());
}

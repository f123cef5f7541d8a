import type {
  AppRegistration,
  ApplicationAccessPolicy,
  AuthorizationCode,
  DirectoryChange,
  GroupRecord,
  MailboxState,
  RbacAssignment,
  RefreshTokenRecord,
  RoomListRecord,
  RoomRecord,
  UserRecord,
} from "./types";
import type { Clock } from "./clock";

/**
 * The whole state of one simulated tenant, in memory. Every area (directory, places, Entra, and later
 * calendars and subscriptions) reads and writes it through these typed collections. Directory writes go
 * through the methods below so the delta journal stays correct.
 */
export class TenantStore {
  tenantId: string;
  displayName: string;
  /** Verified domains; the first is the default (used for new UPNs). */
  domains: string[] = [];

  readonly users = new Map<string, UserRecord>();
  /** Lower-cased userPrincipalName and mail → user id. */
  readonly userIndex = new Map<string, string>();
  readonly groups = new Map<string, GroupRecord>();
  /** Lower-cased room email → room. */
  readonly rooms = new Map<string, RoomRecord>();
  /** Lower-cased room-list email → room list. */
  readonly roomLists = new Map<string, RoomListRecord>();
  /** clientId → registration. */
  readonly apps = new Map<string, AppRegistration>();
  readonly applicationAccessPolicies: ApplicationAccessPolicy[] = [];
  readonly rbacAssignments: RbacAssignment[] = [];
  readonly authCodes = new Map<string, AuthorizationCode>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Mailbox id (user or room mailbox object id) → mailbox state. Created lazily by `mailbox()`. */
  readonly mailboxes = new Map<string, MailboxState>();
  /** Free slots for other modules' tenant-wide state (e.g. "subscriptions"). */
  readonly extensions = new Map<string, unknown>();

  /** Directory change journal (users and groups) for delta queries. */
  readonly changes: DirectoryChange[] = [];
  private seq = 0;
  /** Bumped to invalidate every outstanding delta/skip token (tenant reset, forced resync). */
  syncGeneration = 1;
  /** Issue order of access tokens by their `uti`, so "expire all tokens so far" can be exact. */
  readonly issuedTokens = new Map<string, number>();
  private tokenSeq = 0;
  /** Access tokens with an issue number up to this are rejected as expired (control: expireAccessTokens). */
  tokensExpiredThrough = 0;

  constructor(
    readonly clock: Clock,
    tenantId: string,
    displayName = "Simulated tenant",
  ) {
    this.tenantId = tenantId;
    this.displayName = displayName;
  }

  /** Records a newly minted access token (by `uti`) and returns its issue number. */
  recordToken(uti: string): number {
    this.tokenSeq++;
    this.issuedTokens.set(uti, this.tokenSeq);
    return this.tokenSeq;
  }

  /** Every access token issued so far counts as expired from now on. */
  expireIssuedTokens(): void {
    this.tokensExpiredThrough = this.tokenSeq;
  }

  get currentSeq(): number {
    return this.seq;
  }

  // ---------------------------------------------------------------- lookups

  /** A user by object id or UPN/mail (case-insensitive), excluding deleted ones. */
  findUser(idOrUpn: string): UserRecord | undefined {
    const direct = this.users.get(idOrUpn) ?? this.users.get(idOrUpn.toLowerCase());
    const rec = direct ?? this.users.get(this.userIndex.get(idOrUpn.toLowerCase()) ?? "");
    return rec && rec.deletedAt === undefined ? rec : undefined;
  }

  findGroup(id: string): GroupRecord | undefined {
    const rec = this.groups.get(id) ?? this.groups.get(id.toLowerCase());
    return rec && rec.deletedAt === undefined ? rec : undefined;
  }

  findRoom(idOrEmail: string): RoomRecord | undefined {
    const byEmail = this.rooms.get(idOrEmail.toLowerCase());
    if (byEmail) return byEmail;
    for (const room of this.rooms.values())
      if (room.placeId === idOrEmail || room.mailboxId === idOrEmail) return room;
    return undefined;
  }

  /** The mailbox state of a user or room mailbox (created on first use). */
  mailbox(id: string): MailboxState {
    let box = this.mailboxes.get(id);
    if (!box) {
      box = {
        id,
        calendarPermissions: new Map(),
        settings: {
          timeZone: "UTC",
          language: { locale: "en-US", displayName: "English (United States)" },
          dateFormat: "M/d/yyyy",
          timeFormat: "h:mm tt",
          workingHours: {
            daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
            startTime: "08:00:00.0000000",
            endTime: "17:00:00.0000000",
            timeZone: { name: "UTC" },
          },
        },
        ext: {},
      };
      this.mailboxes.set(id, box);
    }
    return box;
  }

  /** Active (non-deleted) user ids a group has, expanding nested groups. */
  transitiveMemberUserIds(groupId: string, seen = new Set<string>()): Set<string> {
    const out = new Set<string>();
    const group = this.findGroup(groupId);
    if (!group || seen.has(groupId)) return out;
    seen.add(groupId);
    for (const m of group.members) {
      if (this.findUser(m)) out.add(m);
      else if (this.findGroup(m)) for (const u of this.transitiveMemberUserIds(m, seen)) out.add(u);
    }
    return out;
  }

  /** Ids of the groups a user is a direct member of (for the `groups` claim). */
  groupsOfUser(userId: string): string[] {
    const out: string[] = [];
    for (const g of this.groups.values())
      if (g.deletedAt === undefined && g.members.has(userId)) out.push(g.id);
    return out;
  }

  // ---------------------------------------------------------------- directory writes (journaled)

  private journal(change: Omit<DirectoryChange, "seq" | "at">): void {
    this.changes.push({ ...change, seq: ++this.seq, at: this.clock.now() });
  }

  addUser(rec: UserRecord): void {
    this.users.set(rec.id, rec);
    this.indexUser(rec);
    this.journal({ kind: "user", id: rec.id, props: ["*"] });
  }

  private indexUser(rec: UserRecord): void {
    this.userIndex.set(rec.data.userPrincipalName.toLowerCase(), rec.id);
    if (rec.data.mail) this.userIndex.set(rec.data.mail.toLowerCase(), rec.id);
  }

  updateUser(id: string, patch: Partial<UserRecord["data"]>): UserRecord {
    const rec = this.findUser(id);
    if (!rec) throw new Error(`no such user ${id}`);
    const changed = Object.keys(patch).filter((k) => k !== "id");
    Object.assign(rec.data, patch, { id: rec.id });
    this.indexUser(rec);
    this.journal({ kind: "user", id: rec.id, props: changed });
    return rec;
  }

  /** Soft delete (recycle bin) by default; `hard` removes it for good. Memberships are removed too. */
  deleteUser(id: string, hard = false): void {
    const rec = this.users.get(id) ?? this.findUser(id);
    if (!rec) throw new Error(`no such user ${id}`);
    for (const g of this.groups.values()) if (g.members.has(rec.id)) this.removeMember(g.id, rec.id);
    rec.deletedAt = this.clock.now();
    if (hard) {
      this.users.delete(rec.id);
      this.userIndex.delete(rec.data.userPrincipalName.toLowerCase());
      if (rec.data.mail) this.userIndex.delete(rec.data.mail.toLowerCase());
    }
    this.journal({ kind: "user", id: rec.id, props: [], removed: hard ? "deleted" : "changed" });
  }

  /** Restores a soft-deleted user from the recycle bin. */
  restoreUser(id: string): void {
    const rec = this.users.get(id);
    if (!rec || rec.deletedAt === undefined) throw new Error(`no deleted user ${id}`);
    delete rec.deletedAt;
    this.journal({ kind: "user", id, props: ["*"] });
  }

  addGroup(rec: GroupRecord): void {
    this.groups.set(rec.id, rec);
    this.journal({ kind: "group", id: rec.id, props: ["*"], membersAdded: [...rec.members] });
  }

  updateGroup(id: string, patch: Partial<GroupRecord["data"]>): GroupRecord {
    const rec = this.findGroup(id);
    if (!rec) throw new Error(`no such group ${id}`);
    Object.assign(rec.data, patch, { id: rec.id });
    this.journal({ kind: "group", id, props: Object.keys(patch).filter((k) => k !== "id") });
    return rec;
  }

  deleteGroup(id: string, hard = false): void {
    const rec = this.groups.get(id);
    if (!rec) throw new Error(`no such group ${id}`);
    rec.deletedAt = this.clock.now();
    if (hard) this.groups.delete(id);
    this.journal({ kind: "group", id, props: [], removed: hard ? "deleted" : "changed" });
  }

  addMember(groupId: string, memberId: string): void {
    const g = this.findGroup(groupId);
    if (!g) throw new Error(`no such group ${groupId}`);
    if (g.members.has(memberId)) return;
    g.members.add(memberId);
    this.journal({ kind: "group", id: groupId, props: [], membersAdded: [memberId] });
  }

  removeMember(groupId: string, memberId: string): void {
    const g = this.findGroup(groupId);
    if (!g || !g.members.has(memberId)) return;
    g.members.delete(memberId);
    this.journal({ kind: "group", id: groupId, props: [], membersRemoved: [memberId] });
  }

  /**
   * Bulk insert used by seeding: no per-object journal entries, one baseline instead (delta tokens issued
   * before a seed are invalidated by the generation bump in `reset`).
   */
  bulkLoadUser(rec: UserRecord): void {
    this.users.set(rec.id, rec);
    this.indexUser(rec);
  }

  bulkLoadGroup(rec: GroupRecord): void {
    this.groups.set(rec.id, rec);
  }

  /** Empties every collection and invalidates every token (new generation). */
  reset(tenantId: string, displayName: string): void {
    this.tenantId = tenantId;
    this.displayName = displayName;
    this.domains = [];
    for (const m of [
      this.users,
      this.userIndex,
      this.groups,
      this.rooms,
      this.roomLists,
      this.apps,
      this.authCodes,
      this.refreshTokens,
      this.mailboxes,
      this.extensions,
    ]) {
      (m as Map<unknown, unknown>).clear();
    }
    this.applicationAccessPolicies.length = 0;
    this.rbacAssignments.length = 0;
    this.changes.length = 0;
    this.syncGeneration++;
  }
}

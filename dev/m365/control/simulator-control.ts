import type { SimulatorServices, EntraSettings } from "../services";
import type { TenantStore } from "../store/tenant-store";
import type { Clock } from "../store/clock";
import type {
  AppRegistration,
  CalendarRole,
  GroupRecord,
  RbacAssignment,
  UserRecord,
  ApplicationAccessPolicy,
  RoomRecord,
} from "../store/types";
import type { FaultInjector } from "../faults/fault-injector";
import type { MailboxThrottle } from "../faults/mailbox-throttle";
import type { RequestLog } from "./request-log";
import {
  applySeed,
  appFromSeed,
  seedGroupId,
  seedUserId,
  seedUserProperties,
  type SeedApp,
  type SeedGroup,
  type SeedUser,
  type TenantSeed,
} from "../seed/tenant-seed";
import { demoTenantSeed, type DemoTenantOptions } from "../seed/demo-tenant";
import { stableGuid } from "../seed/ids";
import type { Dispatch } from "../http/dispatch";
import { mintCustomToken } from "../entra/tokens";
import { calendarControl, type CalendarControl } from "../calendar/control";
import { notificationControl, type NotificationControl } from "../notifications/control";

/** Hook run after every seed, so each module can load its own section (e.g. calendars). */
export type SeedHook = (sim: SimulatorServices, seed: TenantSeed) => void;

/**
 * The in-process control API (the HTTP one under /_sim calls the same methods). Not part of Graph:
 * it plays the tenant admin, the test harness and the chaos monkey.
 */
export class SimulatorControl {
  constructor(
    private readonly sim: SimulatorServices,
    private readonly seedHooks: SeedHook[],
    private readonly dispatch: () => Dispatch,
  ) {}

  get store(): TenantStore {
    return this.sim.store;
  }
  get clock(): Clock {
    return this.sim.clock;
  }
  get log(): RequestLog {
    return this.sim.log;
  }
  get faults(): FaultInjector {
    return this.sim.faults;
  }
  get throttle(): MailboxThrottle {
    return this.sim.throttle;
  }
  get tenantId(): string {
    return this.sim.store.tenantId;
  }
  /** Calendars: act as an Outlook user or a room, calendar processing (dev/m365/calendar/control.ts). */
  get calendar(): CalendarControl {
    return calendarControl(this.sim);
  }
  /** Change notifications: faults, lifecycle events, flush, clock (dev/m365/notifications/control.ts). */
  get notifications(): NotificationControl {
    return notificationControl(this.sim);
  }

  /** Replaces how injected latency is waited out (tests record it instead of sleeping). */
  useWait(wait: (ms: number) => Promise<void>): void {
    this.sim.wait = wait;
  }

  /** Replaces the tenant with a seed, or the generated demo tenant ("demo" or its options). */
  seed(seed: TenantSeed | "demo" | { demo: DemoTenantOptions }): void {
    const resolved = seed === "demo" ? demoTenantSeed() : "demo" in seed ? demoTenantSeed(seed.demo) : seed;
    applySeed(this.sim.store, resolved);
    for (const hook of this.seedHooks) hook(this.sim, resolved);
  }

  // ------------------------------------------------------------ app registrations and consent

  registerApp(app: SeedApp): AppRegistration {
    const reg = appFromSeed(this.sim.store.tenantId, app);
    this.sim.store.apps.set(reg.clientId, reg);
    return reg;
  }

  /** Sets the admin-consented permissions of an app (replacing those given). */
  grant(clientId: string, perms: { application?: string[]; delegated?: string[] }): AppRegistration {
    const app = this.app(clientId);
    if (perms.application) app.applicationPermissions = [...perms.application];
    if (perms.delegated) app.delegatedPermissions = [...perms.delegated];
    return app;
  }

  app(clientId: string): AppRegistration {
    const app = this.sim.store.apps.get(clientId);
    if (!app) throw new Error(`no app registration ${clientId}`);
    return app;
  }

  addSecret(clientId: string, value: string, expiresAt?: Date): void {
    const app = this.app(clientId);
    app.secrets.push({
      value,
      keyId: stableGuid(`${clientId}/secret`, value),
      expiresAt: expiresAt?.getTime(),
    });
  }

  addRedirectUri(clientId: string, uri: string): void {
    const app = this.app(clientId);
    if (!app.redirectUris.includes(uri)) app.redirectUris.push(uri);
  }

  // ------------------------------------------------------------ tokens

  /** Revokes refresh tokens (all, or a user's, or an app's), as "revoke sessions" does. Returns how many. */
  revokeRefreshTokens(filter: { userId?: string; clientId?: string } = {}): number {
    const userId = filter.userId ? (this.sim.store.findUser(filter.userId)?.id ?? filter.userId) : undefined;
    let n = 0;
    for (const rt of this.sim.store.refreshTokens.values()) {
      if (
        (userId === undefined || rt.userId === userId) &&
        (filter.clientId === undefined || rt.clientId === filter.clientId) &&
        !rt.revoked
      ) {
        rt.revoked = true;
        n++;
      }
    }
    return n;
  }

  /** Every access token issued so far is now rejected as expired (401 InvalidAuthenticationToken). */
  expireAccessTokens(): void {
    this.sim.store.expireIssuedTokens();
  }

  /**
   * A JWT with exactly these claims, signed with the tenant's signing key (`iat`/`nbf`/`exp` default to
   * the simulator clock and one hour): for tests of a resource server's claim checks.
   */
  mintToken(claims: Record<string, unknown>, header: { kid?: string } = {}): Promise<string> {
    return mintCustomToken(this.sim, claims, header);
  }

  configureEntra(patch: Partial<EntraSettings>): EntraSettings {
    Object.assign(this.sim.entra, patch);
    return this.sim.entra;
  }

  /**
   * Signs `user` (UPN or id) in for an authorize URL, as if they had picked themselves on the sign-in
   * page; resolves to the redirect Location (with `code` and `state`).
   */
  async signIn(authorizeUrl: string, user: string): Promise<string> {
    const url = new URL(authorizeUrl);
    const res = await this.dispatch()({
      method: "POST",
      url: url.pathname,
      headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([...url.searchParams, ["sim_user", user]]).toString(),
    });
    const location = res.headers.Location ?? res.headers.location;
    if (res.status !== 302 || !location)
      throw new Error(
        `sign-in did not redirect (status ${res.status}): ${typeof res.body === "string" ? res.body.slice(0, 300) : JSON.stringify(res.body)}`,
      );
    return location;
  }

  advanceClock(ms: number): void {
    this.sim.clock.advance(ms);
  }

  // ------------------------------------------------------------ directory changes (for delta)

  addUser(u: SeedUser): UserRecord {
    const id = seedUserId(this.tenantId, u);
    const rec: UserRecord = {
      id,
      isRoomMailbox: false,
      data: {
        ...seedUserProperties(id, u, true),
        userType: "Member",
        createdDateTime: this.sim.clock.nowIso(),
      },
    };
    this.sim.store.addUser(rec);
    return rec;
  }

  updateUser(idOrUpn: string, patch: Partial<UserRecord["data"]>): UserRecord {
    const u = this.sim.store.findUser(idOrUpn);
    if (!u) throw new Error(`no user ${idOrUpn}`);
    return this.sim.store.updateUser(u.id, patch);
  }

  /** Soft delete by default (delta: `@removed: changed`); `hard` = permanently (`deleted`). */
  deleteUser(idOrUpn: string, options: { hard?: boolean } = {}): void {
    const u = this.sim.store.findUser(idOrUpn) ?? this.sim.store.users.get(idOrUpn);
    if (!u) throw new Error(`no user ${idOrUpn}`);
    this.sim.store.deleteUser(u.id, options.hard ?? false);
  }

  restoreUser(id: string): void {
    this.sim.store.restoreUser(id);
  }

  addGroup(g: SeedGroup): GroupRecord {
    const id = seedGroupId(this.tenantId, g);
    const rec: GroupRecord = {
      id,
      members: new Set(
        (g.members ?? []).map((m) => this.sim.store.findUser(m)?.id ?? this.sim.store.findGroup(m)?.id ?? m),
      ),
      data: {
        id,
        displayName: g.displayName,
        description: g.description ?? null,
        mailNickname: g.mailNickname ?? g.displayName.replace(/[^A-Za-z0-9]/g, ""),
        mail: g.mail ?? null,
        mailEnabled: g.mailEnabled ?? false,
        securityEnabled: g.securityEnabled ?? true,
        groupTypes: g.groupTypes ?? [],
        createdDateTime: this.sim.clock.nowIso(),
        deletedDateTime: null,
      },
    };
    this.sim.store.addGroup(rec);
    return rec;
  }

  addMember(groupId: string, member: string): void {
    this.sim.store.addMember(groupId, this.sim.store.findUser(member)?.id ?? member);
  }

  removeMember(groupId: string, member: string): void {
    this.sim.store.removeMember(groupId, this.sim.store.findUser(member)?.id ?? member);
  }

  deleteGroup(groupId: string, options: { hard?: boolean } = {}): void {
    this.sim.store.deleteGroup(groupId, options.hard ?? false);
  }

  /** Invalidates every outstanding delta/skip token: the next delta call gets 410 syncStateNotFound. */
  expireDeltaTokens(): void {
    this.sim.store.syncGeneration++;
  }

  // ------------------------------------------------------------ rooms and mailbox permissions

  updateRoom(
    email: string,
    patch: Partial<RoomRecord["data"]> & { hiddenFromAddressList?: boolean },
  ): RoomRecord {
    const room = this.sim.store.findRoom(email);
    if (!room) throw new Error(`no room ${email}`);
    const { hiddenFromAddressList, ...data } = patch;
    if (hiddenFromAddressList !== undefined) room.hiddenFromAddressList = hiddenFromAddressList;
    Object.assign(room.data, data, { id: room.data.id });
    return room;
  }

  setCalendarPermission(mailbox: string, user: string, role: CalendarRole): void {
    const m = this.sim.store.findUser(mailbox);
    const u = this.sim.store.findUser(user);
    if (!m || !u) throw new Error(`unknown mailbox or user: ${mailbox} / ${user}`);
    if (role === "none") this.sim.store.mailbox(m.id).calendarPermissions.delete(u.id);
    else this.sim.store.mailbox(m.id).calendarPermissions.set(u.id, role);
  }

  addApplicationAccessPolicy(policy: ApplicationAccessPolicy): void {
    this.sim.store.applicationAccessPolicies.push({ ...policy });
  }

  addRbacAssignment(assignment: RbacAssignment): void {
    this.sim.store.rbacAssignments.push({ ...assignment });
  }

  /** A compact description of the tenant (counts and ids) for dashboards and assertions. */
  summary(): Record<string, unknown> {
    const s = this.sim.store;
    return {
      tenantId: s.tenantId,
      displayName: s.displayName,
      domains: s.domains,
      users: [...s.users.values()].filter((u) => !u.isRoomMailbox && u.deletedAt === undefined).length,
      roomMailboxes: [...s.users.values()].filter((u) => u.isRoomMailbox).length,
      groups: [...s.groups.values()].filter((g) => g.deletedAt === undefined).length,
      rooms: s.rooms.size,
      roomLists: s.roomLists.size,
      apps: [...s.apps.values()].map((a) => ({
        clientId: a.clientId,
        displayName: a.displayName,
        applicationPermissions: a.applicationPermissions,
        delegatedPermissions: a.delegatedPermissions,
      })),
    };
  }
}

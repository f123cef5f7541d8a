import type { RequestContext } from "../http/context";
import { GraphError, graphErrors } from "../http/errors";
import type { GraphAuth } from "./access-token";
import type { CalendarRole, RbacAssignment, UserRecord } from "../store/types";

/**
 * Permission checks shared by all Graph areas.
 *
 * - `requirePermission` — the token must carry one of the listed application roles (app-only) or
 *   delegated scopes (user tokens). Directory endpoints answer 403 Authorization_RequestDenied,
 *   Exchange-backed ones (calendars, places) 403 ErrorAccessDenied, as Graph does.
 * - `checkMailboxAccess` — for calendar endpoints: Entra consent, Exchange application access policies
 *   and RBAC for applications, and (delegated) the signed-in user's rights on someone else's calendar.
 */

export interface PermissionRequirement {
  /** Any of these application permissions suffices. Omit to refuse app-only tokens. */
  application?: readonly string[];
  /** Any of these delegated permissions suffices. Omit to refuse user tokens. */
  delegated?: readonly string[];
}

export type DenialFlavor = "directory" | "exchange";

export function auth(ctx: RequestContext): GraphAuth {
  if (!ctx.auth) throw graphErrors.emptyToken();
  return ctx.auth;
}

export function hasPermission(a: GraphAuth, req: PermissionRequirement): boolean {
  if (a.kind === "app") return (req.application ?? []).some((p) => a.roles.has(p));
  return (req.delegated ?? []).some((p) => a.scopes.has(p));
}

export function requirePermission(
  ctx: RequestContext,
  req: PermissionRequirement,
  flavor: DenialFlavor,
): GraphAuth {
  const a = auth(ctx);
  if (!hasPermission(a, req))
    throw flavor === "directory" ? graphErrors.directoryDenied() : graphErrors.exchangeDenied();
  return a;
}

export type MailboxAccess = "read" | "write";

const APP_CALENDAR_ROLES: Record<MailboxAccess, string[]> = {
  read: ["Calendars.Read", "Calendars.ReadBasic", "Calendars.ReadWrite"],
  write: ["Calendars.ReadWrite"],
};

const RBAC_CALENDAR_ROLES: Record<MailboxAccess, string[]> = {
  read: ["Application Calendars.Read", "Application Calendars.ReadWrite"],
  write: ["Application Calendars.ReadWrite"],
};

const READ_ROLES: CalendarRole[] = [
  "read",
  "write",
  "delegateWithoutPrivateEventAccess",
  "delegateWithPrivateEventAccess",
];
const WRITE_ROLES: CalendarRole[] = [
  "write",
  "delegateWithoutPrivateEventAccess",
  "delegateWithPrivateEventAccess",
];

function rbacCovers(ctx: RequestContext, assignment: RbacAssignment, mailbox: UserRecord): boolean {
  if (assignment.scope === "all") return true;
  if (assignment.scope === "rooms") return mailbox.isRoomMailbox;
  const ids = assignment.scope.mailboxes.map((m) => ctx.sim.store.findUser(m)?.id);
  return ids.includes(mailbox.id);
}

/**
 * Resolves `/users/{id|upn}` for a calendar endpoint and checks the caller may read or write that
 * mailbox's calendar; returns the mailbox owner. Throws Graph's 404 / 403 otherwise.
 */
export function checkMailboxAccess(ctx: RequestContext, idOrUpn: string, access: MailboxAccess): UserRecord {
  const a = auth(ctx);
  const store = ctx.sim.store;
  const mailbox = store.findUser(idOrUpn);
  if (a.kind === "app") {
    const entraGranted = APP_CALENDAR_ROLES[access].some((r) => a.roles.has(r));
    const assignments = store.rbacAssignments.filter(
      (r) => r.appId === a.appId && RBAC_CALENDAR_ROLES[access].includes(r.role),
    );
    if (!entraGranted && assignments.length === 0) throw graphErrors.exchangeDenied();
    if (!mailbox)
      throw new GraphError(404, "ErrorInvalidUser", `The requested user '${idOrUpn}' is invalid.`);
    // RBAC grants are additive to Entra consent: an in-scope assignment is enough on its own.
    if (assignments.some((r) => rbacCovers(ctx, r, mailbox))) return mailbox;
    if (!entraGranted) throw graphErrors.accessPolicyDenied();
    // Entra (tenant-wide) consent, narrowed by any application access policies for this app.
    for (const policy of store.applicationAccessPolicies.filter((p) => p.appId === a.appId)) {
      const inGroup = store.transitiveMemberUserIds(policy.groupId).has(mailbox.id);
      if (policy.accessRight === "RestrictAccess" && !inGroup) throw graphErrors.accessPolicyDenied();
      if (policy.accessRight === "DenyAccess" && inGroup) throw graphErrors.accessPolicyDenied();
    }
    return mailbox;
  }
  // Delegated
  if (!mailbox) throw new GraphError(404, "ErrorInvalidUser", `The requested user '${idOrUpn}' is invalid.`);
  const own = mailbox.id === a.userId;
  const scopes = own
    ? access === "read"
      ? ["Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared", "Calendars.ReadWrite.Shared"]
      : ["Calendars.ReadWrite", "Calendars.ReadWrite.Shared"]
    : access === "read"
      ? ["Calendars.Read.Shared", "Calendars.ReadWrite.Shared"]
      : ["Calendars.ReadWrite.Shared"];
  if (!scopes.some((s) => a.scopes.has(s))) throw graphErrors.exchangeDenied();
  if (own) return mailbox;
  const role = store.mailboxes.get(mailbox.id)?.calendarPermissions.get(a.userId ?? "") ?? "none";
  const ok = (access === "read" ? READ_ROLES : WRITE_ROLES).includes(role);
  // Graph answers "Access is denied. Check credentials and try again." (ErrorAccessDenied) here.
  if (!ok) throw graphErrors.exchangeDenied();
  return mailbox;
}

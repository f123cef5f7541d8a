import type { RequestContext, SimResponse } from "../http/context";
import { GraphError, graphErrors } from "../http/errors";
import {
  applyFilter,
  applyOrderBy,
  contextUrl,
  isAdvancedQuery,
  parseFilterOption,
  parseOrderBy,
  parseSelect,
  parseTop,
  queryOption,
} from "../http/odata";
import type { Router, RouteModule } from "../http/router";
import { requirePermission } from "../auth/permissions";
import type { GroupRecord, UserRecord } from "../store/types";
import { pagedDirectoryResponse, selectFragment } from "./collection";
import {
  GROUP_FILTER,
  GROUP_ORDERBY,
  GROUP_READ,
  MEMBER_READ,
  USER_FILTER,
  USER_ORDERBY,
  USER_READ,
  USER_READ_DELEGATED,
  canReadGroups,
  canReadUsers,
  renderGroup,
  renderUser,
} from "./shapes";
import { registerDeltaRoutes } from "./delta";

/** Graph directory: /users, /users/{id|upn}, /me, /groups, /groups/{id}, /groups/{id}/members, $count. */

function activeUsers(ctx: RequestContext): UserRecord[] {
  const out: UserRecord[] = [];
  for (const u of ctx.sim.store.users.values()) if (u.deletedAt === undefined) out.push(u);
  return out;
}

function activeGroups(ctx: RequestContext): GroupRecord[] {
  const out: GroupRecord[] = [];
  for (const g of ctx.sim.store.groups.values()) if (g.deletedAt === undefined) out.push(g);
  return out;
}

function listUsers(ctx: RequestContext): SimResponse {
  requirePermission(ctx, USER_READ, "directory");
  const select = parseSelect(ctx, "microsoft.graph.user");
  const filter = parseFilterOption(ctx, { spec: USER_FILTER, resource: "User" });
  const order = parseOrderBy(ctx, USER_ORDERBY.default, USER_ORDERBY.advanced, filter !== undefined);
  if (
    queryOption(ctx, "search") !== null &&
    !isAdvancedQuery(ctx) &&
    (ctx.headers["consistencylevel"] ?? "") !== "eventual"
  ) {
    throw new GraphError(
      400,
      "Request_UnsupportedQuery",
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  let items = applyFilter(activeUsers(ctx), filter, (u) => u.data);
  items = applySearch(ctx, items, (u) => [u.data.displayName, u.data.mail ?? "", u.data.userPrincipalName]);
  items = applyOrderBy(items, order, (u) => u.data as unknown as Record<string, unknown>);
  return pagedDirectoryResponse(ctx, items, (u) => renderUser(u, select), selectFragment("users", select));
}

/** `$search="displayName:foo"` (tokenised prefix match) — a simplified reading of Graph's search. */
function applySearch<T>(ctx: RequestContext, items: T[], fields: (t: T) => string[]): T[] {
  const raw = queryOption(ctx, "search");
  if (raw === null) return items;
  const terms = [...raw.matchAll(/"([^"]*)"/g)].map(
    (m) => (m[1] ?? "").split(":").pop()?.toLowerCase() ?? "",
  );
  if (terms.length === 0)
    throw new GraphError(400, "Request_UnsupportedQuery", "Unsupported or invalid $search clause.");
  return items.filter((t) =>
    terms.some((term) =>
      fields(t).some(
        (f) =>
          f
            .toLowerCase()
            .split(/[\s.@_-]+/)
            .some((w) => w.startsWith(term)) || f.toLowerCase().startsWith(term),
      ),
    ),
  );
}

function getUser(ctx: RequestContext, idOrUpn: string): SimResponse {
  const u = ctx.sim.store.findUser(idOrUpn);
  if (!u) throw graphErrors.resourceNotFound(idOrUpn);
  const select = parseSelect(ctx, "microsoft.graph.user");
  return entityResponse(ctx, "users", select, renderUser(u, select));
}

/** A single user or group, with the `@odata.context` of its collection (and `$select`). */
function entityResponse(
  ctx: RequestContext,
  collection: "users" | "groups",
  select: string[] | undefined,
  entity: Record<string, unknown>,
): SimResponse {
  return {
    status: 200,
    body: { "@odata.context": contextUrl(ctx, `${selectFragment(collection, select)}/$entity`), ...entity },
  };
}

function countResponse(ctx: RequestContext, n: number): SimResponse {
  if ((ctx.headers["consistencylevel"] ?? "").toLowerCase() !== "eventual") {
    throw new GraphError(400, "Request_BadRequest", "$count is not currently supported.");
  }
  return { status: 200, body: String(n), contentType: "text/plain;charset=utf-8" };
}

function listGroups(ctx: RequestContext): SimResponse {
  requirePermission(ctx, GROUP_READ, "directory");
  const select = parseSelect(ctx, "microsoft.graph.group");
  const filter = parseFilterOption(ctx, { spec: GROUP_FILTER, resource: "Group" });
  const order = parseOrderBy(ctx, GROUP_ORDERBY.default, GROUP_ORDERBY.advanced, filter !== undefined);
  let items = applyFilter(activeGroups(ctx), filter, (g) => g.data);
  items = applySearch(ctx, items, (g) => [g.data.displayName, g.data.mail ?? "", g.data.description ?? ""]);
  items = applyOrderBy(items, order, (g) => g.data as unknown as Record<string, unknown>);
  return pagedDirectoryResponse(ctx, items, (g) => renderGroup(g, select), selectFragment("groups", select));
}

function getGroup(ctx: RequestContext): SimResponse {
  requirePermission(ctx, GROUP_READ, "directory");
  const id = ctx.params.id ?? "";
  const g = ctx.sim.store.findGroup(id);
  if (!g) throw graphErrors.resourceNotFound(id);
  const select = parseSelect(ctx, "microsoft.graph.group");
  return entityResponse(ctx, "groups", select, renderGroup(g, select));
}

/**
 * Members as directoryObjects. Without permission to read users (or groups), Graph still lists those
 * members but with `@odata.type` and `id` only ("limited information").
 */
function listMembers(ctx: RequestContext): SimResponse {
  requirePermission(ctx, MEMBER_READ, "directory");
  const id = ctx.params.id ?? "";
  const g = ctx.sim.store.findGroup(id);
  if (!g) throw graphErrors.resourceNotFound(id);
  parseTop(ctx, 999);
  const raw = queryOption(ctx, "select");
  const userSelect = raw ? parseSelect(ctx, "microsoft.graph.user") : undefined;
  const users = canReadUsers(ctx);
  const groups = canReadGroups(ctx);
  const members: Array<UserRecord | GroupRecord> = [];
  for (const m of g.members) {
    const u = ctx.sim.store.findUser(m);
    if (u) members.push(u);
    else {
      const sub = ctx.sim.store.findGroup(m);
      if (sub) members.push(sub);
    }
  }
  return pagedDirectoryResponse(
    ctx,
    members,
    (m) => {
      if ("isRoomMailbox" in m) {
        return {
          "@odata.type": "#microsoft.graph.user",
          ...(users ? renderUser(m, userSelect) : { id: m.id }),
        };
      }
      return {
        "@odata.type": "#microsoft.graph.group",
        ...(groups ? renderGroup(m, undefined) : { id: m.id }),
      };
    },
    "directoryObjects",
  );
}

export const directoryRoutes: RouteModule = {
  name: "directory",
  register(router: Router) {
    router.graph("GET", "/users", listUsers);
    router.graph("GET", "/users/$count", (ctx) => {
      requirePermission(ctx, USER_READ, "directory");
      return countResponse(ctx, activeUsers(ctx).length);
    });
    router.graph("GET", "/users/{id}", (ctx) => {
      const a = ctx.auth;
      const self =
        a?.kind === "delegated" && (ctx.sim.store.findUser(ctx.params.id ?? "")?.id ?? "") === a.userId;
      if (self) requirePermission(ctx, { delegated: ["User.Read", ...USER_READ_DELEGATED] }, "directory");
      else requirePermission(ctx, USER_READ, "directory");
      return getUser(ctx, ctx.params.id ?? "");
    });
    router.graph("GET", "/me", (ctx) => {
      const a = ctx.auth;
      if (a?.kind !== "delegated" || !a.userId) {
        throw new GraphError(
          400,
          "BadRequest",
          "/me request is only valid with delegated authentication flow.",
        );
      }
      requirePermission(ctx, { delegated: ["User.Read", ...USER_READ_DELEGATED] }, "directory");
      return getUser(ctx, a.userId);
    });
    router.graph("GET", "/groups", listGroups);
    router.graph("GET", "/groups/$count", (ctx) => {
      requirePermission(ctx, GROUP_READ, "directory");
      return countResponse(ctx, activeGroups(ctx).length);
    });
    router.graph("GET", "/groups/{id}", getGroup);
    router.graph("GET", "/groups/{id}/members", listMembers);
    registerDeltaRoutes(router);
  },
};

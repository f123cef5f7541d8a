import { randomBytes } from "node:crypto";
import type { RequestContext, SimResponse } from "../http/context";
import { GraphError } from "../http/errors";
import { contextUrl, decodeToken, encodeToken, linkWith, parseSelect, queryOption } from "../http/odata";
import { parseFilter, type FilterNode } from "../http/odata-filter";
import type { Router } from "../http/router";
import { requirePermission } from "../auth/permissions";
import type { TenantStore } from "../store/tenant-store";
import {
  GROUP_READ_APP,
  GROUP_READ_DELEGATED,
  MEMBER_READ_APP,
  MEMBER_READ_DELEGATED,
  USER_READ,
  renderGroup,
  renderUser,
} from "./shapes";

/**
 * /users/delta and /groups/delta.
 *
 * - A round starts with no token (full sync), `$deltatoken=latest` (only a deltaLink), or a deltaLink.
 * - The set of changes of a round is fixed when it starts and kept server-side behind opaque
 *   `$skiptoken`s; objects are rendered with their current state when their page is served.
 * - deltaLinks are stateless (they carry the journal position) and live 7 days, as directory delta
 *   tokens do; an expired or invalidated token (tenant reset, control `expireDeltaTokens`) gives
 *   410 Gone with `syncStateNotFound` and a Location header holding an empty $deltatoken.
 * - `$select` decides which property changes make an object reappear; groups carry `members@delta`
 *   (removed members marked `@removed`) unless a `$select` leaves `members` out (the older
 *   `$expand=members` adds it back).
 */

const DELTA_TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;

type Kind = "user" | "group";

interface Entry {
  id: string;
  /** Object gone: reason as Graph reports it. */
  removed?: "changed" | "deleted";
  /** Group members to report (added), and removed ones. */
  membersAdded?: string[];
  membersRemoved?: string[];
  /** Properties changed since the deltaLink (incremental rounds), for `Prefer: return=minimal`. */
  changed?: string[];
}

interface Round {
  kind: Kind;
  entries: Entry[];
  offset: number;
  /** Journal position the round's deltaLink will start from. */
  targetSeq: number;
  generation: number;
  select?: string[];
  withMembers: boolean;
  /** `$filter=id eq …` restriction, carried into the deltaLink. */
  ids?: string[];
  createdAt: number;
}

interface DeltaTokenPayload {
  k: Kind;
  s: number;
  g: number;
  t: number;
  sel?: string[];
  m?: boolean;
  ids?: string[];
}

const ROUNDS_KEY = "directory.deltaRounds";

function rounds(store: TenantStore): Map<string, Round> {
  let m = store.extensions.get(ROUNDS_KEY) as Map<string, Round> | undefined;
  if (!m) {
    m = new Map();
    store.extensions.set(ROUNDS_KEY, m);
  }
  return m;
}

/** Drops abandoned rounds (older than the token lifetime, or the oldest half when still too many). */
function pruneRounds(all: Map<string, Round>, now: number): void {
  for (const [k, r] of all) if (now - r.createdAt > DELTA_TOKEN_LIFETIME_MS) all.delete(k);
  if (all.size >= 10_000) {
    let drop = all.size / 2;
    for (const k of all.keys()) {
      if (drop-- <= 0) break;
      all.delete(k);
    }
  }
}

function syncStateNotFound(ctx: RequestContext, kind: Kind, select: string[] | undefined): GraphError {
  const path = kind === "user" ? "/v1.0/users/delta" : "/v1.0/groups/delta";
  const params = new URLSearchParams();
  if (select) params.set("$select", select.join(","));
  const qs = params.toString().replace(/%24/g, "$").replace(/%2C/g, ",");
  const location = `${ctx.origin}${path}?${qs ? `${qs}&` : ""}$deltatoken=`;
  return new GraphError(
    410,
    "syncStateNotFound",
    "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
    { Location: location },
  );
}

function pageSize(ctx: RequestContext): { size: number; applied?: string } {
  const prefer = ctx.headers["prefer"] ?? "";
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
  if (!m) return { size: DEFAULT_PAGE };
  const n = Math.min(Math.max(Number(m[1]), 1), MAX_PAGE);
  return { size: n, applied: `odata.maxpagesize=${n}` };
}

/** Only `id eq '…'` clauses joined by `or`, at most 50 (user-delta/group-delta docs). */
function parseIdFilter(ctx: RequestContext, resource: string): string[] | undefined {
  const raw = queryOption(ctx, "filter");
  if (raw === null) return undefined;
  const ids: string[] = [];
  const walk = (n: FilterNode): void => {
    if (n.t === "or") {
      walk(n.l);
      walk(n.r);
    } else if (n.t === "cmp" && n.op === "eq" && n.prop.toLowerCase() === "id" && typeof n.value === "string")
      ids.push(n.value);
    else
      throw new GraphError(
        400,
        "Request_UnsupportedQuery",
        `Unsupported or invalid query filter clause specified for property '${"prop" in n ? n.prop : "id"}' of resource '${resource}'.`,
      );
  };
  walk(parseFilter(raw));
  if (ids.length > 50)
    throw new GraphError(
      400,
      "Request_UnsupportedQuery",
      "Too many ids in the filter: at most 50 are supported.",
    );
  return ids;
}

function currentIds(store: TenantStore, kind: Kind, ids?: string[]): string[] {
  const out: string[] = [];
  const coll = kind === "user" ? store.users : store.groups;
  for (const o of coll.values())
    if (o.deletedAt === undefined && (!ids || ids.includes(o.id))) out.push(o.id);
  return out;
}

function lowerBound(store: TenantStore, seq: number): number {
  const arr = store.changes;
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((arr[mid]?.seq ?? 0) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The entries of an incremental round: what changed in the journal after `fromSeq`. */
function changesSince(
  store: TenantStore,
  kind: Kind,
  fromSeq: number,
  select: string[] | undefined,
  withMembers: boolean,
  ids?: string[],
): Entry[] {
  const order: string[] = [];
  const agg = new Map<string, { props: Set<string>; members: Map<string, "add" | "remove"> }>();
  for (let i = lowerBound(store, fromSeq); i < store.changes.length; i++) {
    const c = store.changes[i];
    if (!c || c.kind !== kind || (ids && !ids.includes(c.id))) continue;
    let a = agg.get(c.id);
    if (!a) {
      a = { props: new Set(), members: new Map() };
      agg.set(c.id, a);
      order.push(c.id);
    }
    for (const p of c.props) a.props.add(p);
    for (const m of c.membersAdded ?? []) a.members.set(m, "add");
    for (const m of c.membersRemoved ?? []) a.members.set(m, "remove");
  }
  const tracked = select?.filter((p) => p !== "members").map((p) => p.toLowerCase());
  const entries: Entry[] = [];
  for (const id of order) {
    const a = agg.get(id);
    if (!a) continue;
    const obj = kind === "user" ? store.users.get(id) : store.groups.get(id);
    if (!obj || obj.deletedAt !== undefined) {
      // Hard-deleted objects are gone from the store; soft-deleted ones are in the recycle bin.
      entries.push({ id, removed: obj ? "changed" : "deleted" });
      continue;
    }
    const created = a.props.has("*");
    const propsChanged = created || [...a.props].some((p) => !tracked || tracked.includes(p.toLowerCase()));
    const added = [...a.members].filter(([, op]) => op === "add").map(([m]) => m);
    const removed = [...a.members].filter(([, op]) => op === "remove").map(([m]) => m);
    const membersChanged = withMembers && (added.length > 0 || removed.length > 0);
    if (!propsChanged && !membersChanged) continue;
    const e: Entry = { id };
    if (!created) e.changed = [...a.props];
    if (withMembers) {
      // A newly created group reports its full membership.
      e.membersAdded = created && obj && "members" in obj ? [...obj.members] : added;
      e.membersRemoved = created ? [] : removed;
    }
    entries.push(e);
  }
  return entries;
}

function minimalSelect(round: Round, e: Entry, minimal: boolean): string[] | undefined {
  if (!minimal || !e.changed) return round.select;
  const tracked = round.select?.map((p) => p.toLowerCase());
  return e.changed.filter((p) => p !== "*" && (!tracked || tracked.includes(p.toLowerCase())));
}

function renderEntry(
  store: TenantStore,
  round: Round,
  e: Entry,
  minimal: boolean,
): Record<string, unknown> | undefined {
  if (e.removed) return { id: e.id, "@removed": { reason: e.removed } };
  if (round.kind === "user") {
    const u = store.users.get(e.id);
    if (!u || u.deletedAt !== undefined)
      return { id: e.id, "@removed": { reason: u ? "changed" : "deleted" } };
    return { ...renderUser(u, minimalSelect(round, e, minimal)), id: u.id };
  }
  const g = store.groups.get(e.id);
  if (!g || g.deletedAt !== undefined) return { id: e.id, "@removed": { reason: g ? "changed" : "deleted" } };
  const select = minimalSelect(round, e, minimal)?.filter((p) => p !== "members");
  const out: Record<string, unknown> = {
    ...renderGroup(g, select && select.length > 0 ? select : round.select ? [] : undefined),
    id: g.id,
  };
  if (round.withMembers) {
    const typeOf = (id: string) =>
      store.groups.has(id) ? "#microsoft.graph.group" : "#microsoft.graph.user";
    out["members@delta"] = [
      ...(e.membersAdded ?? []).map((id) => ({ "@odata.type": typeOf(id), id })),
      ...(e.membersRemoved ?? []).map((id) => ({
        "@odata.type": typeOf(id),
        id,
        "@removed": { reason: "deleted" },
      })),
    ];
  }
  return out;
}

function servePage(ctx: RequestContext, round: Round): SimResponse {
  const store = ctx.sim.store;
  const { size, applied } = pageSize(ctx);
  const slice = round.entries.slice(round.offset, round.offset + size);
  // `Prefer: return=minimal` on an incremental round: only the changed (selected) properties.
  const minimal = /return\s*=\s*minimal/i.test(ctx.headers["prefer"] ?? "");
  const value = slice
    .map((e) => renderEntry(store, round, e, minimal))
    .filter((x): x is Record<string, unknown> => x !== undefined);
  const kindPath = round.kind === "user" ? "users" : "groups";
  const body: Record<string, unknown> = {
    "@odata.context": contextUrl(ctx, round.select ? `${kindPath}(${round.select.join(",")})` : kindPath),
  };
  const preferences = [applied, minimal ? "return=minimal" : undefined].filter(Boolean);
  const headers: Record<string, string> =
    preferences.length > 0 ? { "Preference-Applied": preferences.join(", ") } : {};
  const path = `/v1.0/${kindPath}/delta`;
  const all = rounds(store);
  if (round.offset + size < round.entries.length) {
    const next: Round = { ...round, offset: round.offset + size };
    const token = randomBytes(24).toString("base64url");
    if (all.size >= 10_000) pruneRounds(all, ctx.sim.clock.now());
    all.set(token, next);
    body["@odata.nextLink"] = linkWith(
      ctx,
      {
        $skiptoken: token,
        $deltatoken: undefined,
        $select: undefined,
        $filter: undefined,
        $expand: undefined,
      },
      path,
    );
  } else {
    const payload: DeltaTokenPayload = {
      k: round.kind,
      s: round.targetSeq,
      g: round.generation,
      t: ctx.sim.clock.now(),
      sel: round.select,
      m: round.withMembers,
      ids: round.ids,
    };
    body["@odata.deltaLink"] = linkWith(
      ctx,
      {
        $deltatoken: encodeToken(payload),
        $skiptoken: undefined,
        $select: undefined,
        $filter: undefined,
        $expand: undefined,
      },
      path,
    );
  }
  // A served page's skip token stays valid (abandoned rounds are pruned above): Graph's nextLinks can
  // be requested again, which is what a client resuming from a checkpoint does.
  body.value = value;
  return { status: 200, headers, body };
}

function deltaHandler(kind: Kind) {
  return (ctx: RequestContext): SimResponse => {
    if (kind === "user") requirePermission(ctx, USER_READ, "directory");
    else
      requirePermission(
        ctx,
        {
          application: [...GROUP_READ_APP, ...MEMBER_READ_APP],
          delegated: [...GROUP_READ_DELEGATED, ...MEMBER_READ_DELEGATED],
        },
        "directory",
      );
    for (const unsupported of ["top", "orderby", "search"]) {
      if (queryOption(ctx, unsupported) !== null)
        throw new GraphError(
          400,
          "Request_UnsupportedQuery",
          `The query parameter '$${unsupported}' is not supported with delta queries.`,
        );
    }
    const store = ctx.sim.store;
    const now = ctx.sim.clock.now();
    const skipToken = queryOption(ctx, "skiptoken");
    if (skipToken !== null) {
      const round = rounds(store).get(skipToken);
      if (
        !round ||
        round.kind !== kind ||
        round.generation !== store.syncGeneration ||
        now - round.createdAt > DELTA_TOKEN_LIFETIME_MS
      ) {
        throw syncStateNotFound(ctx, kind, round?.select);
      }
      return servePage(ctx, round);
    }
    const deltaToken = queryOption(ctx, "deltatoken");
    const expand = (queryOption(ctx, "expand") ?? "").toLowerCase();
    if (expand !== "" && !(kind === "group" && expand === "members")) {
      throw new GraphError(
        400,
        "Request_UnsupportedQuery",
        "The query parameter '$expand' is not supported with delta queries.",
      );
    }
    if (deltaToken !== null && deltaToken !== "" && deltaToken.toLowerCase() !== "latest") {
      const payload = decodeToken<DeltaTokenPayload>(deltaToken);
      if (
        !payload ||
        payload.k !== kind ||
        payload.g !== store.syncGeneration ||
        now - payload.t > DELTA_TOKEN_LIFETIME_MS
      ) {
        throw syncStateNotFound(ctx, kind, payload?.sel);
      }
      const round: Round = {
        kind,
        entries: changesSince(store, kind, payload.s, payload.sel, payload.m ?? false, payload.ids),
        offset: 0,
        targetSeq: store.currentSeq,
        generation: store.syncGeneration,
        select: payload.sel,
        withMembers: payload.m ?? false,
        ids: payload.ids,
        createdAt: now,
      };
      return servePage(ctx, round);
    }
    const select = parseSelect(ctx, kind === "user" ? "microsoft.graph.user" : "microsoft.graph.group");
    const ids = parseIdFilter(ctx, kind === "user" ? "User" : "Group");
    // Membership comes with a plain request (group-delta's first example has no $select and answers
    // with members@delta) and with a $select naming `members`; a $select without it leaves it out.
    const withMembers =
      kind === "group" && (select === undefined || select.includes("members") || expand === "members");
    const latest = deltaToken?.toLowerCase() === "latest";
    const round: Round = {
      kind,
      entries: latest
        ? []
        : currentIds(store, kind, ids).map((id) => {
            const g = kind === "group" ? store.groups.get(id) : undefined;
            return withMembers && g ? { id, membersAdded: [...g.members], membersRemoved: [] } : { id };
          }),
      offset: 0,
      targetSeq: store.currentSeq,
      generation: store.syncGeneration,
      select,
      withMembers,
      ids,
      createdAt: now,
    };
    return servePage(ctx, round);
  };
}

export function registerDeltaRoutes(router: Router): void {
  router.graph("GET", "/users/delta", deltaHandler("user"));
  router.graph("GET", "/groups/delta", deltaHandler("group"));
}

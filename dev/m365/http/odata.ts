import type { RequestContext } from "./context";
import { GraphError } from "./errors";
import { GRAPH_TYPE_PROPERTIES } from "./graph-schema";
import {
  evaluateFilter,
  parseFilter,
  validateFilter,
  type FilterNode,
  type FilterSpec,
} from "./odata-filter";

/** OData system query options as Graph applies them to collections. */

export function queryOption(ctx: RequestContext, name: string): string | null {
  // Graph v1.0 accepts the `$` prefix; option names are case-insensitive.
  const lower = `$${name.toLowerCase()}`;
  for (const [k, v] of ctx.query) if (k.toLowerCase() === lower) return v;
  return null;
}

/** `$select` → canonical property names, validated against the type. Undefined when absent. */
export function parseSelect(ctx: RequestContext, typeName: string): string[] | undefined {
  const raw = queryOption(ctx, "select");
  if (raw === null || raw.trim() === "") return undefined;
  return canonicalNames(
    raw,
    GRAPH_TYPE_PROPERTIES[typeName] ?? [],
    (part) =>
      new GraphError(400, "BadRequest", `Could not find a property named '${part}' on type '${typeName}'.`),
  );
}

/**
 * A comma-separated list of property names, each in its `known` spelling (matched case-insensitively),
 * duplicates dropped; `unknown(name)` is the error thrown for a name that is not known.
 */
export function canonicalNames(
  raw: string,
  known: readonly string[],
  unknown: (name: string) => GraphError,
): string[] {
  const out: string[] = [];
  for (const part of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const canonical = known.find((k) => k.toLowerCase() === part.toLowerCase());
    if (!canonical) throw unknown(part);
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** `$top` within [1, max]; directory wording of the error. */
export function parseTop(ctx: RequestContext, max: number): number | undefined {
  const raw = queryOption(ctx, "top");
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new GraphError(
      400,
      "Request_BadRequest",
      `Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`,
    );
  }
  return n;
}

export function parseSkip(ctx: RequestContext): number {
  const raw = queryOption(ctx, "skip");
  if (raw === null) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new GraphError(400, "BadRequest", `Invalid value for $skip: '${raw}'.`);
  return n;
}

/** True when the request uses Entra's advanced query parameters (ConsistencyLevel: eventual and $count=true). */
export function isAdvancedQuery(ctx: RequestContext): boolean {
  return (
    (ctx.headers["consistencylevel"] ?? "").toLowerCase() === "eventual" &&
    (queryOption(ctx, "count") ?? "").toLowerCase() === "true"
  );
}

/**
 * `$count=true`. Directory objects need ConsistencyLevel: eventual; Graph's behaviour without it is not
 * clearly documented for every endpoint, so the simulator takes the strict reading and refuses it.
 */
export function wantsCount(ctx: RequestContext, needsConsistencyLevel: boolean): boolean {
  const raw = queryOption(ctx, "count");
  if (raw === null) return false;
  if (raw.toLowerCase() !== "true" && raw.toLowerCase() !== "false")
    throw new GraphError(400, "BadRequest", `Invalid value for $count: '${raw}'.`);
  if (raw.toLowerCase() === "false") return false;
  if (needsConsistencyLevel && (ctx.headers["consistencylevel"] ?? "").toLowerCase() !== "eventual") {
    throw new GraphError(400, "Request_BadRequest", "$count is not currently supported.");
  }
  return true;
}

export interface FilterOptions {
  spec: FilterSpec;
  /** Resource name in Graph's error message, e.g. "User". */
  resource: string;
  /** Directory endpoints reject unsupported clauses with Request_UnsupportedQuery. */
  errorCode?: string;
}

export function parseFilterOption(ctx: RequestContext, opts: FilterOptions): FilterNode | undefined {
  const raw = queryOption(ctx, "filter");
  if (raw === null || raw.trim() === "") return undefined;
  const node = parseFilter(raw);
  validateFilter(
    node,
    opts.spec,
    isAdvancedQuery(ctx),
    (prop) =>
      new GraphError(
        400,
        opts.errorCode ?? "Request_UnsupportedQuery",
        `Unsupported or invalid query filter clause specified for property '${prop}' of resource '${opts.resource}'.`,
      ),
  );
  return node;
}

export function applyFilter<T>(items: T[], node: FilterNode | undefined, view: (item: T) => unknown): T[] {
  if (!node) return items;
  return items.filter((item) => evaluateFilter(node, view(item)));
}

export interface OrderBy {
  prop: string;
  desc: boolean;
}

/**
 * `$orderby`. `allowed` lists properties sortable by default, `advanced` those that need the advanced
 * query parameters. Combining $filter and $orderby also needs them on directory objects.
 */
export function parseOrderBy(
  ctx: RequestContext,
  allowed: string[],
  advanced: string[],
  hasFilter: boolean,
): OrderBy[] | undefined {
  const raw = queryOption(ctx, "orderby");
  if (raw === null || raw.trim() === "") return undefined;
  const adv = isAdvancedQuery(ctx);
  const unsupported = () =>
    new GraphError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
  if (hasFilter && !adv) throw unsupported();
  const out: OrderBy[] = [];
  for (const part of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name = "", dir = "asc"] = part.split(/\s+/);
    const pool = adv ? [...allowed, ...advanced] : allowed;
    const canonical = pool.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!canonical) throw unsupported();
    if (dir.toLowerCase() !== "asc" && dir.toLowerCase() !== "desc")
      throw new GraphError(400, "BadRequest", `Invalid $orderby direction '${dir}'.`);
    out.push({ prop: canonical, desc: dir.toLowerCase() === "desc" });
  }
  return out;
}

export function applyOrderBy<T>(
  items: T[],
  order: OrderBy[] | undefined,
  view: (item: T) => Record<string, unknown>,
): T[] {
  if (!order || order.length === 0) return items;
  const collator = new Intl.Collator("en", { sensitivity: "base" });
  return [...items].sort((a, b) => {
    for (const o of order) {
      const x = view(a)[o.prop];
      const y = view(b)[o.prop];
      let c: number;
      if (x === y) c = 0;
      else if (x === undefined || x === null)
        c = 1; // nulls last
      else if (y === undefined || y === null) c = -1;
      else if (typeof x === "string" && typeof y === "string") c = collator.compare(x, y);
      else c = (x as number) < (y as number) ? -1 : 1;
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
}

/**
 * Keeps the selected properties, or the endpoint's default set (which includes id). Unset properties
 * are present as null, as Graph returns them.
 */
export function project(
  obj: Record<string, unknown>,
  select: string[] | undefined,
  defaults: readonly string[],
): Record<string, unknown> {
  const keys = select ?? defaults;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = obj[k] ?? null;
  return out;
}

/** Opaque, tamper-evident-enough paging token (base64url JSON). */
export function encodeToken(payload: object): string {
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

export function decodeToken<T>(token: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The same request URL with some query options replaced (used to build `@odata.nextLink`). */
export function linkWith(
  ctx: RequestContext,
  replace: Record<string, string | undefined>,
  path = ctx.path,
): string {
  const params = new URLSearchParams();
  const lowerKeys = Object.keys(replace).map((k) => k.toLowerCase());
  for (const [k, v] of ctx.query) if (!lowerKeys.includes(k.toLowerCase())) params.append(k, v);
  for (const [k, v] of Object.entries(replace)) if (v !== undefined) params.append(k, v);
  const qs = params.toString().replace(/%24/g, "$").replace(/%2C/gi, ",");
  return `${ctx.origin}${encodePath(path)}${qs ? `?${qs}` : ""}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) =>
      // The path as it arrived is still percent-encoded (a UPN's %40): decode before encoding again.
      encodeURIComponent(safeDecode(s))
        .replace(/%40/g, "@")
        .replace(/%24/g, "$")
        .replace(/%28/g, "(")
        .replace(/%29/g, ")"),
    )
    .join("/");
}

/** The `@odata.context` URL for a collection or entity. */
export function contextUrl(ctx: RequestContext, fragment: string): string {
  const base =
    ctx.cloud === "china" ? "https://microsoftgraph.chinacloudapi.cn" : "https://graph.microsoft.com";
  // Graph percent-encodes `@` in keys it echoes, e.g. users('ann%40contoso.example').
  return `${base}/v1.0/$metadata#${fragment.replace(/@/g, "%40")}`;
}

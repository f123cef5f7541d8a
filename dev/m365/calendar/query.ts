import type { RequestContext } from "../http/context";
import { GraphError } from "../http/errors";
import { canonicalNames, queryOption } from "../http/odata";
import type { StoredEvent } from "../store/calendars";
import { EVENT_PROPERTIES } from "./shapes";
import { preferredTimeZone } from "./time-zones";
import { viewStart, type EventView } from "./views";

/** OData options of the calendar endpoints (Outlook's dialect: ErrorInvalidUrlQuery… codes). */

export function eventSelect(ctx: RequestContext): string[] | undefined {
  const raw = queryOption(ctx, "select");
  if (!raw) return undefined;
  return canonicalNames(
    raw,
    EVENT_PROPERTIES,
    (part) =>
      new GraphError(
        400,
        "RequestBroker--ParseUri",
        `Could not find a property named '${part}' on type 'microsoft.graph.event'.`,
      ),
  );
}

/** `$expand=singleValueExtendedProperties($filter=id eq '…' [or id eq '…'])`. */
export function extendedPropertyExpand(ctx: RequestContext): string[] | "all" | undefined {
  const raw = queryOption(ctx, "expand");
  if (!raw) return undefined;
  const m = /^\s*singleValueExtendedProperties\s*(?:\((.*)\))?\s*$/i.exec(raw);
  if (!m)
    throw new GraphError(
      400,
      "BadRequest",
      `Parsing OData Select and Expand failed: Could not find a property named '${raw.split("(")[0]}' on type 'microsoft.graph.event'.`,
    );
  if (!m[1]) return "all";
  const ids = [...m[1].matchAll(/id\s+eq\s+'((?:[^']|'')*)'/gi)].map((x) =>
    (x[1] ?? "").replace(/''/g, "'").toLowerCase(),
  );
  if (ids.length === 0)
    throw new GraphError(
      400,
      "ErrorInvalidUrlQueryFilter",
      "The query filter contains one or more invalid nodes.",
    );
  return ids;
}

/**
 * `$filter` on events: the forms ONES and similar apps use — `singleValueExtendedProperties/any(ep: ep/id
 * eq '…' and ep/value eq '…')`, `iCalUId eq '…'`, `subject eq '…'`, `type eq '…'`, and
 * `start/dateTime ge '…'` / `end/dateTime le '…'` — joined with `and`. Anything else is refused.
 */
export function eventFilter(ctx: RequestContext): ((e: StoredEvent) => boolean) | undefined {
  const raw = queryOption(ctx, "filter");
  if (!raw || raw.trim() === "") return undefined;
  const invalid = () =>
    new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");
  const preds: Array<(e: StoredEvent) => boolean> = [];
  let rest = raw.trim();
  const anyRe =
    /^singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+'((?:[^']|'')*)'\s+and\s+\1\/value\s+eq\s+'((?:[^']|'')*)'\s*\)/i;
  const cmpRe =
    /^(iCalUId|subject|type|start\/dateTime|end\/dateTime)\s+(eq|ne|ge|gt|le|lt)\s+'((?:[^']|'')*)'/i;
  while (rest.length > 0) {
    let m = anyRe.exec(rest);
    if (m) {
      const id = (m[2] ?? "").replace(/''/g, "'").toLowerCase();
      const value = (m[3] ?? "").replace(/''/g, "'");
      preds.push((e) => e.extendedProperties.get(id)?.value === value);
    } else if ((m = cmpRe.exec(rest))) {
      const prop = (m[1] ?? "").toLowerCase();
      const op = (m[2] ?? "").toLowerCase();
      const value = (m[3] ?? "").replace(/''/g, "'");
      const get = (e: StoredEvent): string | number => {
        if (prop === "icaluid") return e.uid;
        if (prop === "subject") return e.subject;
        if (prop === "type") return e.type;
        return prop.startsWith("start") ? e.startMs : e.endMs;
      };
      const target: string | number = prop.includes("datetime")
        ? Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`)
        : value;
      preds.push((e) => {
        const v = get(e);
        switch (op) {
          case "eq":
            return v === target;
          case "ne":
            return v !== target;
          case "ge":
            return v >= target;
          case "gt":
            return v > target;
          case "le":
            return v <= target;
          default:
            return v < target;
        }
      });
    } else throw invalid();
    rest = rest.slice(m[0].length).trim();
    if (rest.length === 0) break;
    const and = /^and\s+/i.exec(rest);
    if (!and) throw invalid();
    rest = rest.slice(and[0].length);
  }
  return (e) => preds.every((p) => p(e));
}

export function eventOrderBy(ctx: RequestContext): ((a: EventView, b: EventView) => number) | undefined {
  const raw = queryOption(ctx, "orderby");
  if (!raw) return undefined;
  const parts = raw.split(",").map((s) => s.trim().split(/\s+/));
  const cmps = parts.map(([prop = "", dir = "asc"]) => {
    const sign = dir.toLowerCase() === "desc" ? -1 : 1;
    const p = prop.toLowerCase();
    const key = (v: EventView): string | number => {
      if (p === "start/datetime") return viewStart(v);
      if (p === "end/datetime") return v.ev.endMs;
      if (p === "createddatetime") return v.ev.createdMs;
      if (p === "lastmodifieddatetime") return v.ev.modifiedMs;
      if (p === "subject") return v.ev.subject.toLowerCase();
      throw new GraphError(400, "ErrorInvalidProperty", `The property '${prop}' does not support sorting.`);
    };
    return (a: EventView, b: EventView) => {
      const x = key(a);
      const y = key(b);
      return x === y ? 0 : (x < y ? -1 : 1) * sign;
    };
  });
  return (a, b) => {
    for (const c of cmps) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  };
}

/** Page size: `$top` (1–1000), else `Prefer: odata.maxpagesize`, else Outlook's default of 10. */
export function pageSize(ctx: RequestContext): { size: number; fromPrefer: boolean } {
  const top = queryOption(ctx, "top");
  if (top !== null) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      throw new GraphError(400, "ErrorInvalidUrlQuery", `The value of the parameter 'Top' is invalid.`);
    return { size: n, fromPrefer: false };
  }
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(ctx.headers["prefer"] ?? "");
  if (m) return { size: Math.max(1, Math.min(1000, Number(m[1]))), fromPrefer: true };
  return { size: 10, fromPrefer: false };
}

/** The zone reads are rendered in, and the Preference-Applied header for it. */
export function outputZone(ctx: RequestContext): { zone: string; headers: Record<string, string> } {
  const z = preferredTimeZone(ctx.headers);
  const prefs: string[] = [];
  if (z) prefs.push(`outlook.timezone="${z}"`);
  if (/odata\.maxpagesize/i.test(ctx.headers["prefer"] ?? ""))
    prefs.push(`odata.maxpagesize=${pageSize(ctx).size}`);
  return { zone: z ?? "UTC", headers: prefs.length > 0 ? { "Preference-Applied": prefs.join(", ") } : {} };
}

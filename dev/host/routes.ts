import { hostRoute, type HttpFunctionDefinition } from "../../functions/lib/definition";
import { AppError } from "../../shared/domain/errors";

/**
 * Route templates as the Functions host reads them: literal segments, `{name}`, optional `{name?}`,
 * constrained `{name:int}` / `{name:alpha}` / `{name:guid}`, and a trailing catch-all `{*name}`.
 * Matching is case-insensitive on literals, like ASP.NET routing.
 */
export interface CompiledRoute {
  readonly definition: HttpFunctionDefinition;
  match(path: string): Record<string, string> | undefined;
}

const constraints: Record<string, string> = {
  int: "-?\\d+",
  alpha: "[A-Za-z]+",
  guid: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
};

/** Compiles the route the Functions host would be given (host.json's route prefix is empty). */
export function compileRoute(definition: HttpFunctionDefinition): CompiledRoute {
  const names: string[] = [];
  const segments = hostRoute(definition)
    .split("/")
    .filter((s) => s !== "");
  let pattern = "";
  for (const segment of segments) {
    const param = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}$/.exec(segment);
    if (param === null) {
      pattern += `/${escape(segment)}`;
      continue;
    }
    const [, catchAll, name = "", constraint, optional] = param;
    names.push(name);
    const body =
      catchAll !== undefined
        ? ".*"
        : constraint !== undefined
          ? (constraints[constraint] ?? "[^/]+")
          : "[^/]+";
    pattern += optional !== undefined || catchAll !== undefined ? `(?:/(${body}))?` : `/(${body})`;
  }
  const regex = new RegExp(`^${pattern}/?$`, "i");
  return {
    definition,
    match(path) {
      const m = regex.exec(path);
      if (m === null) return undefined;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        const value = m[i + 1];
        if (value !== undefined) params[name] = decodeParam(value);
      });
      return params;
    },
  };
}

/** A route parameter decoded; malformed percent-encoding (`%ZZ`) is the caller's mistake, a 400. */
function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new AppError("malformed-request", "The URL path has malformed percent-encoding.");
  }
}

export interface RouteLookup {
  readonly route?: CompiledRoute;
  readonly params?: Record<string, string>;
  /** Methods of routes whose path matched, when none matched the method too (for 405 Allow). */
  readonly allowed: readonly string[];
}

/**
 * The route for a method and path. HEAD is served by a GET route (the host sends no body), as uptime
 * monitors probe with HEAD. Throws AppError `malformed-request` for malformed percent-encoding.
 */
export function findRoute(routes: readonly CompiledRoute[], method: string, path: string): RouteLookup {
  const allowed = new Set<string>();
  const wanted = method === "HEAD" ? ["HEAD", "GET"] : [method];
  for (const route of routes) {
    const params = route.match(path);
    if (params === undefined) continue;
    const methods: readonly string[] = route.definition.methods;
    if (wanted.some((m) => methods.includes(m))) return { route, params, allowed: [] };
    methods.forEach((m) => allowed.add(m));
  }
  if (allowed.has("GET")) allowed.add("HEAD");
  return { allowed: [...allowed] };
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

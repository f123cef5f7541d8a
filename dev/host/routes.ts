import { hostRoute, type HttpFunctionDefinition, type HttpMethod } from "../../functions/lib/definition";

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
        if (value !== undefined) params[name] = decodeURIComponent(value);
      });
      return params;
    },
  };
}

export interface RouteLookup {
  readonly route?: CompiledRoute;
  readonly params?: Record<string, string>;
  /** Methods of routes whose path matched, when none matched the method too (for 405 Allow). */
  readonly allowed: readonly HttpMethod[];
}

export function findRoute(routes: readonly CompiledRoute[], method: string, path: string): RouteLookup {
  const allowed = new Set<HttpMethod>();
  for (const route of routes) {
    const params = route.match(path);
    if (params === undefined) continue;
    if ((route.definition.methods as readonly string[]).includes(method))
      return { route, params, allowed: [] };
    route.definition.methods.forEach((m) => allowed.add(m));
  }
  return { allowed: [...allowed] };
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

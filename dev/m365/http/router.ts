import type { RequestContext, SimResponse } from "./context";

export type RouteHandler = (ctx: RequestContext) => SimResponse | Promise<SimResponse>;

/** graph: bearer token required (validated before the handler runs); entra/control: no Graph auth. */
export type RouteKind = "graph" | "entra" | "control";

export interface RouteDefinition {
  method: string;
  /** Pattern, e.g. "/v1.0/users/{id}". Literal segments match case-insensitively; a trailing "()" is ignored. */
  path: string;
  kind: RouteKind;
  handler: RouteHandler;
}

interface CompiledRoute extends RouteDefinition {
  segments: Array<{ literal: string } | { param: string }>;
}

export type RouteMatch =
  | { kind: "found"; route: RouteDefinition; params: Record<string, string> }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

function normaliseSegment(segment: string): string {
  return segment.endsWith("()") ? segment.slice(0, -2) : segment;
}

export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const raw of path.split("/")) {
    if (raw === "") continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      seg = raw;
    }
    out.push(normaliseSegment(seg));
  }
  return out;
}

/**
 * A small method + path router. Area modules add their routes through `graph()`, `entra()` and
 * `control()`; routes with fewer parameters win over routes with more at the same depth.
 */
export class Router {
  private readonly byDepth = new Map<number, CompiledRoute[]>();

  add(def: RouteDefinition): void {
    const segments = splitPath(def.path).map((s) =>
      s.startsWith("{") && s.endsWith("}") ? { param: s.slice(1, -1) } : { literal: s.toLowerCase() },
    );
    const list = this.byDepth.get(segments.length) ?? [];
    list.push({ ...def, method: def.method.toUpperCase(), segments });
    // literal-first ordering: a route with more literal segments is tried first
    list.sort((a, b) => literalCount(b) - literalCount(a));
    this.byDepth.set(segments.length, list);
  }

  /** A Graph v1.0 route: `path` is relative to /v1.0, e.g. "/users/{id}". */
  graph(method: string, path: string, handler: RouteHandler): void {
    this.add({ method, path: `/v1.0${path}`, kind: "graph", handler });
  }

  entra(method: string, path: string, handler: RouteHandler): void {
    this.add({ method, path, kind: "entra", handler });
  }

  /** A control route: `path` is relative to /_sim. */
  control(method: string, path: string, handler: RouteHandler): void {
    this.add({ method, path: `/_sim${path}`, kind: "control", handler });
  }

  match(method: string, path: string): RouteMatch {
    const parts = splitPath(path);
    const candidates = this.byDepth.get(parts.length) ?? [];
    const allowed: string[] = [];
    for (const route of candidates) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i];
        const part = parts[i] as string;
        if (!seg) {
          ok = false;
          break;
        }
        if ("literal" in seg) {
          if (seg.literal !== part.toLowerCase()) {
            ok = false;
            break;
          }
        } else params[seg.param] = part;
      }
      if (!ok) continue;
      if (route.method === method.toUpperCase()) return { kind: "found", route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: "method-not-allowed", allowed } : { kind: "not-found" };
  }
}

function literalCount(r: CompiledRoute): number {
  return r.segments.filter((s) => "literal" in s).length;
}

/** An area of the simulator: registers its routes (and may keep state in the store's extensions). */
export interface RouteModule {
  name: string;
  register(router: Router): void;
}

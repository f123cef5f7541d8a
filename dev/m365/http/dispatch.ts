import { randomUUID } from "node:crypto";
import type { SimulatorServices } from "../services";
import { cloudOfHost } from "../entra/clouds";
import type { HeaderMap, RequestContext, SimResponse } from "./context";
import { GraphError, OAuthError, graphErrorBody, graphErrors, oauthErrorBody } from "./errors";
import { splitPath, type Router } from "./router";

/** A request as it enters the dispatcher: from the HTTPS listener or from inside a `$batch`. */
export interface InternalRequest {
  method: string;
  /** Path plus query, e.g. "/v1.0/users?$top=5". */
  url: string;
  headers: HeaderMap;
  /** Raw body text. */
  body: string;
  /** Already-parsed JSON body (batch items carry objects). */
  parsedBody?: unknown;
  batchId?: string;
  /** The listener's scheme (the browser sign-in listener is plain http); https unless said. */
  scheme?: "http" | "https";
}

export interface DispatchResult extends SimResponse {
  headers: HeaderMap;
}

export const GRAPH_JSON =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

function isBatchEnvelope(method: string, graphPath: string): boolean {
  return method === "POST" && graphPath.toLowerCase() === "/$batch";
}

function parseBody(req: InternalRequest, kind: string): unknown {
  if (req.parsedBody !== undefined) return req.parsedBody;
  if (req.body === "") return undefined;
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded"))
    return Object.fromEntries(new URLSearchParams(req.body));
  try {
    return JSON.parse(req.body);
  } catch {
    if (kind === "graph") {
      throw new GraphError(
        400,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      );
    }
    return req.body;
  }
}

/**
 * Routes one request: Graph routes get faults, bearer-token validation and Graph error shapes; Entra
 * routes OAuth error shapes; control routes plain JSON. Every request is logged.
 */
export function createDispatcher(sim: SimulatorServices, router: Router) {
  return async function dispatch(req: InternalRequest): Promise<DispatchResult> {
    const started = performance.now();
    const q = req.url.indexOf("?");
    const path = q >= 0 ? req.url.slice(0, q) : req.url;
    const query = new URLSearchParams(q >= 0 ? req.url.slice(q + 1) : "");
    const clientRequestId =
      req.headers["client-request-id"] ?? query.get("client-request-id") ?? randomUUID();
    const requestId = randomUUID();
    const host = req.headers["host"] ?? "127.0.0.1";
    const ctx: RequestContext = {
      sim,
      method: req.method.toUpperCase(),
      path,
      query,
      headers: req.headers,
      body: undefined,
      rawBody: req.body,
      params: {},
      requestId,
      clientRequestId,
      origin: `${req.scheme ?? "https"}://${host}`,
      cloud: cloudOfHost(host),
      batchId: req.batchId,
      cleanup: [],
    };
    const match = router.match(ctx.method, path);
    const kind =
      match.kind === "found"
        ? match.route.kind
        : path.toLowerCase().startsWith("/v1.0") || path.toLowerCase().startsWith("/beta")
          ? "graph"
          : "unknown";
    let res: SimResponse;
    let errorCode: string | undefined;
    let delayMs = 0;
    try {
      if (kind === "graph") {
        const graphPath = path.slice(5);
        // Graph evaluates a batch's requests one by one against its limits: the envelope itself is not
        // throttled or failed, its inner requests are (each through this dispatcher).
        if (!isBatchEnvelope(ctx.method, graphPath)) {
          await sim.faults.passHolds(graphPath);
          const decision = sim.faults.decide(graphPath);
          delayMs = decision.delayMs;
          if (decision.error) throw decision.error;
        }
        // Graph authenticates before it resolves the resource.
        ctx.auth = await sim.tokens.verify(req.headers["authorization"], sim.store.tenantId, (uti) => {
          const n = sim.store.issuedTokens.get(uti);
          return n !== undefined && n <= sim.store.tokensExpiredThrough;
        });
      }
      if (match.kind === "not-found") {
        if (kind === "graph") {
          const segs = splitPath(path);
          throw graphErrors.notFoundSegment(segs[segs.length - 1] ?? "");
        }
        res = { status: 404, body: { error: "not_found", message: `No route for ${ctx.method} ${path}` } };
      } else if (match.kind === "method-not-allowed") {
        if (kind === "graph") throw graphErrors.unsupportedMethod(match.allowed.join(", "));
        res = {
          status: 405,
          headers: { Allow: match.allowed.join(", ") },
          body: { error: "method_not_allowed" },
        };
      } else {
        ctx.params = match.params;
        ctx.body = parseBody(req, kind);
        res = await match.route.handler(ctx);
      }
    } catch (e) {
      if (e instanceof GraphError) {
        errorCode = e.code;
        res = {
          status: e.status,
          headers: e.headers,
          body: graphErrorBody(e, requestId, clientRequestId, sim.clock.now()),
        };
        if (e.status === 401) {
          res.headers = {
            ...res.headers,
            "WWW-Authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
          };
        }
      } else if (e instanceof OAuthError) {
        errorCode = e.error;
        res = { status: e.status, body: oauthErrorBody(e, requestId, clientRequestId, sim.clock.now()) };
      } else {
        console.error("[m365-sim] handler failed", ctx.method, path, e);
        const err = new GraphError(500, "InternalServerError", "An internal server error occurred.");
        errorCode = err.code;
        res = { status: 500, body: graphErrorBody(err, requestId, clientRequestId, sim.clock.now()) };
      }
    }
    if (delayMs > 0) await sim.wait(delayMs);
    for (const fn of ctx.cleanup) fn();
    const headers: HeaderMap = { ...(res.headers ?? {}) };
    if (kind === "graph") {
      headers["request-id"] = requestId;
      headers["client-request-id"] = clientRequestId;
      // Graph answers every request with the OData protocol version it speaks.
      headers["odata-version"] = "4.0";
      headers["x-ms-ags-diagnostic"] = JSON.stringify({
        ServerInfo: {
          DataCenter: "Local",
          Slice: "E",
          Ring: "5",
          ScaleUnit: "000",
          RoleInstance: "M365SIM",
          ADSiteName: "LOC",
        },
      });
    } else if (kind === "entra") {
      headers["x-ms-request-id"] = requestId;
      headers["client-request-id"] = clientRequestId;
    }
    const contentType =
      res.contentType ??
      (res.body === undefined
        ? undefined
        : typeof res.body === "string"
          ? "text/plain; charset=utf-8"
          : kind === "graph"
            ? GRAPH_JSON
            : "application/json; charset=utf-8");
    if (contentType) headers["content-type"] = contentType;
    sim.log.add({
      seq: sim.log.nextSeq(),
      at: sim.clock.now(),
      method: ctx.method,
      path,
      query: q >= 0 ? req.url.slice(q + 1) : "",
      status: res.status,
      kind: kind,
      appId:
        ctx.auth?.appId ??
        (typeof (ctx.body as Record<string, unknown> | undefined)?.client_id === "string"
          ? (ctx.body as Record<string, string>).client_id
          : undefined),
      userId: ctx.auth?.userId,
      requestId,
      clientRequestId,
      batchId: req.batchId,
      headers: sim.log.keptHeaders(req.headers),
      durationMs: performance.now() - started,
      errorCode,
    });
    return { ...res, headers };
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;

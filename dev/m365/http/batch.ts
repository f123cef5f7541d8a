import type { RequestContext, SimResponse } from "./context";
import { GraphError } from "./errors";
import type { Dispatch } from "./dispatch";
import type { Router } from "./router";

/**
 * JSON batching (`POST /v1.0/$batch`): up to 20 requests, unique ids, `dependsOn`. Independent
 * requests run concurrently (Graph does not guarantee an order); a request whose dependency failed
 * gets 424 Failed Dependency. Inner requests carry the batch's Authorization header and are logged
 * with the batch's request id. Throttling and injected faults apply to each inner request (a 429
 * inside a 200 batch response), not to the batch as a whole; inner response headers use Graph's
 * casing (`Content-Type`, `Retry-After`).
 */
interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export const MAX_BATCH_REQUESTS = 20;

function validate(body: unknown): BatchItem[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests)) throw new GraphError(400, "BadRequest", "Invalid batch payload format.");
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw new GraphError(
      400,
      "BadRequest",
      `The number of requests in the batch exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
    );
  }
  const ids = new Set<string>();
  for (const r of requests as BatchItem[]) {
    if (typeof r?.id !== "string" || typeof r.method !== "string" || typeof r.url !== "string") {
      throw new GraphError(400, "BadRequest", "Invalid batch payload format.");
    }
    if (ids.has(r.id))
      throw new GraphError(
        400,
        "BadRequest",
        `Batch request id '${r.id}' is duplicated; request ids must be unique.`,
      );
    ids.add(r.id);
    if (/^https?:/i.test(r.url))
      throw new GraphError(400, "BadRequest", "Invalid request URL in batch: relative URLs are expected.");
    if (
      r.body !== undefined &&
      !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === "content-type")
    ) {
      throw new GraphError(
        400,
        "BadRequest",
        "Content-Type header must be specified for requests with a body.",
      );
    }
  }
  for (const r of requests as BatchItem[]) {
    for (const d of r.dependsOn ?? []) {
      if (!ids.has(d))
        throw new GraphError(400, "BadRequest", `Request '${r.id}' depends on unknown request '${d}'.`);
    }
  }
  // A dependency cycle would never complete; Graph refuses such a batch (message undocumented).
  const byId = new Map((requests as BatchItem[]).map((r) => [r.id, r]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting")
      throw new GraphError(400, "BadRequest", "Batch request dependencies form a cycle.");
    state.set(id, "visiting");
    for (const d of byId.get(id)?.dependsOn ?? []) visit(d);
    state.set(id, "done");
  };
  for (const id of byId.keys()) visit(id);
  return requests as BatchItem[];
}

/** Header names as Graph spells them inside a batch response (the SDK looks up `Content-Type` as is). */
const GRAPH_HEADER_NAMES: Record<string, string> = {
  "content-type": "Content-Type",
  "cache-control": "Cache-Control",
  "odata-version": "OData-Version",
  "retry-after": "Retry-After",
  location: "Location",
  etag: "ETag",
  "preference-applied": "Preference-Applied",
  "www-authenticate": "WWW-Authenticate",
};

/** Headers that describe the transport of the outer response; Graph does not repeat them per item. */
const OUTER_ONLY = new Set(["request-id", "client-request-id", "x-ms-ags-diagnostic"]);

function innerHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (OUTER_ONLY.has(lower)) continue;
    out[GRAPH_HEADER_NAMES[lower] ?? name] = value;
  }
  return out;
}

export function registerBatchRoute(router: Router, getDispatch: () => Dispatch): void {
  router.graph("POST", "/$batch", async (ctx: RequestContext): Promise<SimResponse> => {
    const items = validate(ctx.body);
    const results = new Map<string, Promise<SimResponse>>();
    const run = (item: BatchItem): Promise<SimResponse> => {
      const existing = results.get(item.id);
      if (existing) return existing;
      const p = (async (): Promise<SimResponse> => {
        for (const dep of item.dependsOn ?? []) {
          const depItem = items.find((i) => i.id === dep) as BatchItem;
          const depRes = await run(depItem);
          if (depRes.status >= 400) {
            return {
              status: 424,
              body: { error: { code: "FailedDependency", message: `Dependent request '${dep}' failed.` } },
            };
          }
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(item.headers ?? {})) headers[k.toLowerCase()] = String(v);
        for (const h of ["authorization", "host"])
          if (ctx.headers[h] !== undefined) headers[h] = ctx.headers[h];
        const url = `/v1.0/${item.url.replace(/^\/+/, "").replace(/^v1\.0\//i, "")}`;
        return getDispatch()({
          method: item.method,
          url,
          headers,
          body: "",
          parsedBody: item.body,
          batchId: ctx.requestId,
        });
      })();
      results.set(item.id, p);
      return p;
    };
    const responses = await Promise.all(
      items.map(async (item) => {
        const r = await run(item);
        return { id: item.id, status: r.status, headers: innerHeaders(r.headers ?? {}), body: r.body };
      }),
    );
    return { status: 200, body: { responses } };
  });
}

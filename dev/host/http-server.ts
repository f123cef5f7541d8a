import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HttpRequest, HttpResponse, InvocationContext, type Cookie } from "@azure/functions";
import type { HttpFunctionDefinition } from "../../functions/lib/definition";
import { problemResponse } from "../../functions/lib/problem";
import { AppError } from "../../shared/domain/errors";
import { compileRoute, findRoute } from "./routes";
import type { HostLogger } from "./logger";

/** Requests larger than this are refused before a function sees them (the Functions host allows 100 MB). */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export interface LocalPage {
  /** Exact path, e.g. `/`. */
  readonly path: string;
  readonly render: () =>
    Promise<{ contentType: string; body: string }> | { contentType: string; body: string };
}

/**
 * Serves HTTP functions as the Functions host would: node:http → `HttpRequest` → handler →
 * status, headers, cookies and body. Holds no business logic.
 */
export function createHttpServer(
  functions: readonly HttpFunctionDefinition[],
  options: { logger: HostLogger; pages?: readonly LocalPage[] },
): Server {
  const routes = functions.map((f) => compileRoute(f));
  const pages = new Map((options.pages ?? []).map((p) => [p.path, p]));

  return createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      options.logger.error("host", `request handling failed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const method = (req.method ?? "GET").toUpperCase();
    const page = pages.get(url.pathname);
    if (page !== undefined && method === "GET") {
      const { contentType, body } = await page.render();
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
      res.end(body);
      return;
    }

    const invocationId = randomUUID();
    const lookup = findRoute(routes, method, url.pathname);
    if (lookup.route === undefined) {
      const [code, detail, headers]: [
        ConstructorParameters<typeof AppError>[0],
        string,
        Record<string, string>,
      ] =
        lookup.allowed.length > 0
          ? [
              "method-not-allowed",
              `Use ${lookup.allowed.join(", ")} on this resource.`,
              { allow: lookup.allowed.join(", ") },
            ]
          : ["not-found", "There is no such endpoint.", {}];
      await writeResponse(
        res,
        new HttpResponse(problemResponse(new AppError(code, detail), invocationId, url.pathname, headers)),
      );
      return;
    }

    const body = await readBody(req);
    if (body === "too-large") {
      const tooLarge = new AppError("payload-too-large", "The request body is too large.");
      await writeResponse(res, new HttpResponse(problemResponse(tooLarge, invocationId, url.pathname)));
      return;
    }

    const definition = lookup.route.definition;
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: flattenHeaders(req),
      params: lookup.params ?? {},
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const context = new InvocationContext({
      invocationId,
      functionName: definition.name,
      logHandler: (level, ...args) => options.logger.log(level, definition.name, args),
    });
    const started = performance.now();
    const init = await definition.handler(request, context);
    const response = new HttpResponse(init);
    await writeResponse(res, response);
    options.logger.request(
      definition.name,
      method,
      url.pathname,
      response.status,
      performance.now() - started,
    );
  }
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) {
      req.resume();
      return "too-large";
    }
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

async function writeResponse(res: ServerResponse, response: HttpResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  if (response.cookies.length > 0) headers["set-cookie"] = response.cookies.map(serializeCookie);
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Set-Cookie as the Functions host writes it from the `cookies` of a response. */
export function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path !== undefined) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure === true) parts.push("Secure");
  if (cookie.httpOnly === true) parts.push("HttpOnly");
  if (cookie.sameSite !== undefined) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join("; ");
}

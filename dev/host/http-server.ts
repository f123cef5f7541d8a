import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HttpRequest, HttpResponse, InvocationContext, type Cookie } from "@azure/functions";
import type { HttpFunctionDefinition } from "../../functions/lib/definition";
import { problemResponse } from "../../functions/lib/problem";
import { AppError, isAppError } from "../../shared/domain/errors";
import { compileRoute, findRoute } from "./routes";
import type { HostLogger } from "./logger";

/** Requests larger than this are refused before a function sees them (the Functions host allows 100 MB). */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;
/** How long a request body may take to arrive in full before the host answers 408. */
const DEFAULT_BODY_TIMEOUT_MS = 30_000;

export interface LocalPage {
  /** Exact path, e.g. `/`. */
  readonly path: string;
  /** Renders the page for a request (its URL, and the browser's cookies to know who asks). */
  readonly render: (request: {
    readonly url: URL;
    readonly cookie?: string;
  }) => Promise<{ contentType: string; body: string }> | { contentType: string; body: string };
}

export interface HttpServerOptions {
  readonly logger: HostLogger;
  readonly pages?: readonly LocalPage[];
  /** Time allowed for a whole request body; slower bodies get 408 (tests shorten it). */
  readonly bodyTimeoutMs?: number;
}

/**
 * Serves HTTP functions as the Functions host would: node:http → `HttpRequest` → handler →
 * status, headers, cookies and body. Holds no business logic. Whatever the client sends, the answer is
 * a status and, for errors, problem+json: bad URLs and Host headers are 400, bodies announced past the
 * limit 413 at once, bodies that do not arrive in time 408.
 */
export function createHttpServer(
  functions: readonly HttpFunctionDefinition[],
  options: HttpServerOptions,
): Server {
  const routes = functions.map((f) => compileRoute(f));
  const pages = new Map((options.pages ?? []).map((p) => [p.path, p]));
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;

  const server = createServer((req, res) => {
    const invocationId = randomUUID();
    void serve(req, res, invocationId).catch(async (error: unknown) => {
      if (!isAppError(error)) options.logger.error("host", `request handling failed: ${errorName(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const instance = safePath(req.url);
      await writeResponse(res, new HttpResponse(problemResponse(error, invocationId, instance)), req);
    });
  });
  // Requests node:http cannot parse at all (bad header characters, a garbled Content-Length).
  server.on("clientError", (error: Error & { rawPacket?: unknown }, socket) => {
    if (!socket.writable) return socket.destroy();
    // A response to HEAD has no body, even when the request's headers could not be parsed.
    const head =
      Buffer.isBuffer(error.rawPacket) && error.rawPacket.subarray(0, 5).toString("latin1") === "HEAD ";
    const problem = problemResponse(
      new AppError("malformed-request", "The request could not be parsed."),
      randomUUID(),
    );
    const body = problem.body as string;
    const fields = Object.entries(problem.headers as Record<string, string>)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.end(
      `HTTP/1.1 400 Bad Request\r\n${fields}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${head ? "" : body}`,
    );
  });
  return server;

  async function serve(req: IncomingMessage, res: ServerResponse, invocationId: string): Promise<void> {
    const url = requestUrl(req);
    const method = (req.method ?? "GET").toUpperCase();
    const page = pages.get(url.pathname);
    if (page !== undefined && (method === "GET" || method === "HEAD")) {
      const cookie = req.headers.cookie;
      const { contentType, body } = await page.render({ url, ...(cookie === undefined ? {} : { cookie }) });
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
      res.end(body);
      return;
    }

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
        req,
      );
      return;
    }

    const body = await readBody(req, bodyTimeoutMs);
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
    await writeResponse(res, response, req);
    options.logger.request(
      definition.name,
      method,
      url.pathname,
      response.status,
      performance.now() - started,
    );
  }
}

/** The request URL; an unparsable Host header or target is the client's mistake (400). */
function requestUrl(req: IncomingMessage): URL {
  const host = req.headers.host ?? "127.0.0.1";
  // A Host header is a host name or address and an optional port, nothing else (RFC 9110 §7.2).
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) {
    throw new AppError("malformed-request", "The Host header is not a valid host name.");
  }
  try {
    return new URL(req.url ?? "/", `http://${host}`);
  } catch {
    throw new AppError("malformed-request", "The request URL is not valid.");
  }
}

/** The path of a request target for a problem's `instance`, or undefined when it cannot be read. */
function safePath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? "/", "http://127.0.0.1").pathname;
  } catch {
    return undefined;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/**
 * The whole body. Past the limit it is refused without reading it (413), announced or not; a body that
 * has not arrived in full within `timeoutMs` is refused with 408.
 */
function readBody(req: IncomingMessage, timeoutMs: number): Promise<Uint8Array> {
  const tooLarge = (): AppError => new AppError("payload-too-large", "The request body is too large.");
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > MAX_REQUEST_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: AppError): void => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError);
      if (error === undefined) resolve(new Uint8Array(Buffer.concat(chunks)));
      else {
        req.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) finish(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (): void =>
      finish(new AppError("malformed-request", "The request body could not be read."));
    const timer = setTimeout(
      () => finish(new AppError("request-timeout", "The request body did not arrive in time.")),
      timeoutMs,
    );
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/**
 * Writes a response. When the request body was not read to its end (refused early), the connection
 * is closed after the answer rather than kept for a body nobody will read.
 */
async function writeResponse(
  res: ServerResponse,
  response: HttpResponse,
  req: IncomingMessage,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  if (response.cookies.length > 0) headers["set-cookie"] = response.cookies.map(serializeCookie);
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  const unread = !req.complete;
  if (unread) headers.connection = "close";
  res.writeHead(response.status, headers);
  res.end(body, () => {
    if (unread) req.socket.destroy();
  });
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

import { createServer, type Server } from "node:https";
import {
  createServer as createPlainServer,
  type IncomingMessage,
  type Server as PlainServer,
  type ServerResponse,
} from "node:http";
import type { Dispatch } from "./dispatch";
import type { HeaderMap } from "./context";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

function headerMap(req: IncomingMessage): HeaderMap {
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a request, hands it to the dispatcher and writes the answer (both listeners). */
function requestListener(
  dispatch: Dispatch,
  scheme: "http" | "https",
  accepts: (path: string) => boolean = () => true,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      try {
        const url = req.url ?? "/";
        if (!accepts(url.split("?")[0] ?? "/")) {
          res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
          res.end("Only the sign-in pages are served over http; use the https address for the rest.");
          return;
        }
        const body = req.method === "GET" || req.method === "HEAD" ? "" : await readBody(req);
        const result = await dispatch({
          method: req.method ?? "GET",
          url,
          headers: headerMap(req),
          body,
          scheme,
        });
        let payload: Buffer | undefined;
        if (result.body === undefined || result.body === null) payload = undefined;
        else if (Buffer.isBuffer(result.body)) payload = result.body;
        else if (typeof result.body === "string") payload = Buffer.from(result.body);
        else payload = Buffer.from(JSON.stringify(result.body));
        const headers: Record<string, string | number> = { ...result.headers };
        if (payload) headers["content-length"] = payload.length;
        res.writeHead(result.status, headers);
        res.end(payload);
      } catch (e) {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
      }
    })();
  };
}

/** The HTTPS listener: Graph, Entra and the control API. */
export function createHttpsServer(tls: { certPem: string; keyPem: string }, dispatch: Dispatch): Server {
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, requestListener(dispatch, "https"));
  server.keepAliveTimeout = 30_000;
  return server;
}

/** The browser-facing Entra pages: authorize (sign-in page and its form) and sign-out. */
export const BROWSER_SIGN_IN_PATH = /^\/[^/]+\/oauth2\/v2\.0\/(authorize|logout)$/i;

/**
 * A plain-http listener on loopback for the browser-facing sign-in pages only. Browsers treat
 * http://127.0.0.1 as a trustworthy origin, so a person's ordinary browser can sign in without trusting
 * the simulator's CA; tokens, keys and Graph stay on https (MSAL refuses an http authority, but takes
 * the authorize endpoint from the metadata as given).
 */
export function createBrowserSignInServer(dispatch: Dispatch): PlainServer {
  const server = createPlainServer(
    requestListener(dispatch, "http", (path) => BROWSER_SIGN_IN_PATH.test(path)),
  );
  server.keepAliveTimeout = 30_000;
  return server;
}

import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
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

/** The HTTPS listener: reads the request, hands it to the dispatcher, writes the answer. */
export function createHttpsServer(tls: { certPem: string; keyPem: string }, dispatch: Dispatch): Server {
  const server = createServer(
    { cert: tls.certPem, key: tls.keyPem },
    (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        try {
          const body = req.method === "GET" || req.method === "HEAD" ? "" : await readBody(req);
          const result = await dispatch({
            method: req.method ?? "GET",
            url: req.url ?? "/",
            headers: headerMap(req),
            body,
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
    },
  );
  server.keepAliveTimeout = 30_000;
  return server;
}

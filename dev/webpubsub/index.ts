import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { bearerToken, stringList, verifyAccessKeyToken, type TokenProblem } from "./tokens";

/**
 * A local Azure Web PubSub service for `npm start` and the tests: the REST data-plane that
 * `@azure/web-pubsub` calls (send, groups, existence checks, closing connections), each request's
 * `Authorization: Bearer` JWT checked as the service checks it, and the client WebSocket endpoint
 * `/client/hubs/{hub}?access_token=…` with the plain WebSocket protocol (a message arrives as its body
 * was sent: JSON and text as text frames, binary as binary frames). Every hub exists.
 */
export interface WebPubSubOptions {
  /** 0 or unset picks a free port. */
  readonly port?: number;
  /** The AccessKey the connection string carries; random unless set. */
  readonly accessKey?: string;
}

export type SendTarget =
  | { readonly kind: "all" }
  | { readonly kind: "group"; readonly name: string }
  | { readonly kind: "user"; readonly id: string }
  | { readonly kind: "connection"; readonly id: string };

/** One message the REST API accepted, as the service would hand it to its connections. */
export interface SentMessage {
  readonly hub: string;
  readonly target: SendTarget;
  readonly contentType: string;
  /** The body as text (JSON and text bodies), or base64 for binary bodies. */
  readonly body: string;
  /** How many open connections it reached. */
  readonly delivered: number;
}

export interface WebPubSubStats {
  readonly connections: number;
  /** Open connections per hub. */
  readonly hubs: Record<string, number>;
  /** Groups with at least one connection, and how many. */
  readonly groups: Record<string, number>;
  readonly messages: number;
  readonly delivered: number;
  /** REST requests and client connections refused for a bad or missing token. */
  readonly unauthorized: number;
}

export interface RunningWebPubSub {
  /** `http://127.0.0.1:PORT` (WEBPUBSUB_ENDPOINT style). */
  readonly endpoint: string;
  readonly port: number;
  readonly accessKey: string;
  /** `Endpoint=http://127.0.0.1:PORT;AccessKey=…;Version=1.0;` for WEBPUBSUB_CONNECTION_STRING. */
  readonly connectionString: string;
  stats(): WebPubSubStats;
  /** Messages accepted so far (the last 1,000), oldest first. */
  sent(): readonly SentMessage[];
  /** Why the latest requests or connections were refused (the last 100), oldest first. */
  refusals(): readonly TokenProblem[];
  /** Closes every client WebSocket and HTTP connection, then the listener. */
  stop(): Promise<void>;
}

interface Connection {
  readonly id: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly groups: Set<string>;
  readonly socket: WebSocket;
}

interface Hub {
  readonly connections: Map<string, Connection>;
  /** Groups a user was added to: they apply to the user's connections now and later. */
  readonly userGroups: Map<string, Set<string>>;
}

const API_VERSION_REQUIRED = "The api-version query parameter is required.";
const KEEP_SENT = 1_000;

export async function startWebPubSub(options: WebPubSubOptions = {}): Promise<RunningWebPubSub> {
  const accessKey = options.accessKey ?? randomBytes(32).toString("base64");
  const hubs = new Map<string, Hub>();
  const sentLog: SentMessage[] = [];
  const refusalLog: TokenProblem[] = [];
  const sockets = new Set<Socket>();
  const counters = { messages: 0, delivered: 0, unauthorized: 0 };
  let endpoint = "";

  const hubOf = (name: string): Hub => {
    let hub = hubs.get(name);
    if (hub === undefined) {
      hub = { connections: new Map(), userGroups: new Map() };
      hubs.set(name, hub);
    }
    return hub;
  };
  const refuse = (problem: TokenProblem): void => {
    counters.unauthorized++;
    refusalLog.push(problem);
    if (refusalLog.length > 100) refusalLog.shift();
  };

  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => false });

  const server = createServer((req, res) => {
    handleRest(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req, socket, head) => {
    handleUpgrade(req, socket as Socket, head).catch(() => socket.destroy());
  });

  async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", endpoint);
    const method = req.method ?? "GET";
    const body = await readBody(req);
    if (url.pathname === "/api/health" && (method === "HEAD" || method === "GET")) return answer(res, 200);
    const segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
    if (segments[0] !== "api" || segments[1] !== "hubs" || segments[2] === undefined || segments[2] === "")
      return problem(res, 404, "NotFound", "No such resource.");
    const check = await verifyAccessKeyToken(
      bearerToken(req.headers.authorization),
      accessKey,
      `${endpoint}${req.url ?? "/"}`,
    );
    if (!check.ok) {
      refuse(check.problem);
      res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' });
      res.end();
      return;
    }
    if (!url.searchParams.has("api-version")) return problem(res, 400, "BadRequest", API_VERSION_REQUIRED);
    if (url.searchParams.has("filter"))
      return problem(res, 400, "BadRequest", "The local Web PubSub service does not support filter.");
    const hub = hubOf(segments[2]);
    const rest = segments.slice(3);
    // Hub-relative paths alternate a literal and a name (`users/{user}/groups/{group}`), so odd
    // positions are names.
    const route = `${method} ${rest.map((s, i) => (i % 2 === 1 ? "{}" : s)).join("/")}`;
    const [, a = "", , c = ""] = rest;
    const excluded = new Set(url.searchParams.getAll("excluded"));
    const reason = url.searchParams.get("reason") ?? undefined;
    const contentType = req.headers["content-type"] ?? "application/octet-stream";

    switch (route) {
      case "POST :send":
        send(hub, segments[2], { kind: "all" }, contentType, body, excluded);
        return answer(res, 202);
      case "POST groups/{}/:send":
        send(hub, segments[2], { kind: "group", name: a }, contentType, body, excluded);
        return answer(res, 202);
      case "POST users/{}/:send":
        send(hub, segments[2], { kind: "user", id: a }, contentType, body, excluded);
        return answer(res, 202);
      case "POST connections/{}/:send":
        send(hub, segments[2], { kind: "connection", id: a }, contentType, body, excluded);
        return answer(res, 202);
      case "PUT users/{}/groups/{}": {
        const groups = hub.userGroups.get(a) ?? new Set<string>();
        groups.add(c);
        hub.userGroups.set(a, groups);
        for (const conn of hub.connections.values()) if (conn.userId === a) conn.groups.add(c);
        return answer(res, 200);
      }
      case "DELETE users/{}/groups/{}":
        hub.userGroups.get(a)?.delete(c);
        for (const conn of hub.connections.values()) if (conn.userId === a) conn.groups.delete(c);
        return answer(res, 204);
      case "DELETE users/{}/groups":
        hub.userGroups.delete(a);
        for (const conn of hub.connections.values()) if (conn.userId === a) conn.groups.clear();
        return answer(res, 204);
      case "PUT groups/{}/connections/{}": {
        const conn = hub.connections.get(c);
        if (conn === undefined) return problem(res, 404, "NotFound", "The connection does not exist.");
        conn.groups.add(a);
        return answer(res, 200);
      }
      case "DELETE groups/{}/connections/{}":
        hub.connections.get(c)?.groups.delete(a);
        return answer(res, 204);
      case "DELETE connections/{}/groups":
        hub.connections.get(a)?.groups.clear();
        return answer(res, 204);
      case "GET groups/{}/connections": {
        const value = [...hub.connections.values()]
          .filter((conn) => conn.groups.has(a))
          .map((conn) => ({
            connectionId: conn.id,
            ...(conn.userId === undefined ? {} : { userId: conn.userId }),
          }));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ value }));
        return;
      }
      case "HEAD groups/{}":
        return answer(res, [...hub.connections.values()].some((conn) => conn.groups.has(a)) ? 200 : 404);
      case "HEAD users/{}":
        return answer(res, [...hub.connections.values()].some((conn) => conn.userId === a) ? 200 : 404);
      case "HEAD connections/{}":
        return answer(res, hub.connections.has(a) ? 200 : 404);
      case "DELETE connections/{}":
        close(hub, (conn) => conn.id === a, reason, excluded);
        return answer(res, 204);
      case "POST :closeConnections":
        close(hub, () => true, reason, excluded);
        return answer(res, 204);
      case "POST users/{}/:closeConnections":
        close(hub, (conn) => conn.userId === a, reason, excluded);
        return answer(res, 204);
      case "POST groups/{}/:closeConnections":
        close(hub, (conn) => conn.groups.has(a), reason, excluded);
        return answer(res, 204);
      default:
        return problem(res, 404, "NotFound", "The local Web PubSub service has no such operation.");
    }
  }

  function send(
    hub: Hub,
    hubName: string,
    target: SendTarget,
    contentType: string,
    body: Buffer,
    excluded: ReadonlySet<string>,
  ): void {
    const binary = !/^(application\/json|text\/plain)\b/i.test(contentType);
    let delivered = 0;
    for (const conn of hub.connections.values()) {
      if (excluded.has(conn.id) || conn.socket.readyState !== WebSocket.OPEN) continue;
      const reached =
        target.kind === "all" ||
        (target.kind === "group" && conn.groups.has(target.name)) ||
        (target.kind === "user" && conn.userId === target.id) ||
        (target.kind === "connection" && conn.id === target.id);
      if (!reached) continue;
      conn.socket.send(binary ? body : body.toString("utf8"), { binary });
      delivered++;
    }
    counters.messages++;
    counters.delivered += delivered;
    sentLog.push({
      hub: hubName,
      target,
      contentType,
      body: body.toString(binary ? "base64" : "utf8"),
      delivered,
    });
    if (sentLog.length > KEEP_SENT) sentLog.shift();
  }

  function close(
    hub: Hub,
    which: (conn: Connection) => boolean,
    reason: string | undefined,
    excluded: ReadonlySet<string>,
  ): void {
    for (const conn of [...hub.connections.values()]) {
      if (excluded.has(conn.id) || !which(conn)) continue;
      hub.connections.delete(conn.id);
      conn.socket.close(
        1000,
        Buffer.from(reason ?? "")
          .subarray(0, 120)
          .toString("utf8"),
      );
    }
  }

  async function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", endpoint);
    const match = /^\/client\/hubs\/([A-Za-z][A-Za-z0-9_]*)$/.exec(url.pathname);
    if (match?.[1] === undefined) return rejectUpgrade(socket, 404, "Not Found");
    const hubName = match[1];
    if (req.headers["sec-websocket-protocol"] !== undefined)
      return rejectUpgrade(socket, 400, "Bad Request (the local service speaks plain WebSocket only)");
    const token = url.searchParams.get("access_token") ?? bearerToken(req.headers.authorization) ?? undefined;
    const check = await verifyAccessKeyToken(token, accessKey, `${endpoint}/client/hubs/${hubName}`);
    if (!check.ok) {
      refuse(check.problem);
      return rejectUpgrade(socket, 401, "Unauthorized");
    }
    const userId =
      typeof check.claims.sub === "string" && check.claims.sub !== "" ? check.claims.sub : undefined;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const hub = hubOf(hubName);
      const groups = new Set(stringList(check.claims["webpubsub.group"]));
      for (const group of userId === undefined ? [] : (hub.userGroups.get(userId) ?? [])) groups.add(group);
      const conn: Connection = { id: randomUUID(), hub: hubName, userId, groups, socket: ws };
      hub.connections.set(conn.id, conn);
      ws.on("close", () => hub.connections.delete(conn.id));
      ws.on("error", () => ws.terminate());
      // Plain WebSocket clients' own messages would go to an upstream event handler; there is none.
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    port,
    accessKey,
    connectionString: `Endpoint=${endpoint};AccessKey=${accessKey};Version=1.0;`,
    stats: () => {
      const hubCounts: Record<string, number> = {};
      const groups: Record<string, number> = {};
      let connections = 0;
      for (const [name, hub] of hubs) {
        if (hub.connections.size > 0) hubCounts[name] = hub.connections.size;
        connections += hub.connections.size;
        for (const conn of hub.connections.values())
          for (const group of conn.groups) groups[group] = (groups[group] ?? 0) + 1;
      }
      return { connections, hubs: hubCounts, groups, ...counters };
    },
    sent: () => [...sentLog],
    refusals: () => [...refusalLog],
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      for (const hub of hubs.values()) hub.connections.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

function problem(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ code, message }));
}

function rejectUpgrade(socket: Socket, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

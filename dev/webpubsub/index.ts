import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { bearerToken, stringList, verifyAccessKeyToken, type TokenProblem } from "./tokens";

/**
 * A local Azure Web PubSub service for `npm start` and the tests: the REST data-plane that
 * `@azure/web-pubsub` calls (send, groups, existence checks, closing connections), each request's
 * `Authorization: Bearer` JWT checked as the service checks it, and the client WebSocket endpoint
 * `/client/hubs/{hub}?access_token=…`. Every hub exists. Clients speak one of:
 * - plain WebSocket (no subprotocol): a message arrives as its body was sent (JSON and text as text
 *   frames, binary as binary frames);
 * - `json.webpubsub.azure.v1`: `connected`/`disconnected` system messages, `joinGroup`/`leaveGroup`/
 *   `sendToGroup`/`event` requests answered with `ack` (permissions from the token's `role` claims),
 *   `ping`/`pong`, and data as `{ type: "message", from: "server" | "group", dataType, data }`;
 * - `json.reliable.webpubsub.azure.v1`: the same, plus a `sequenceId` on every data message, the
 *   client's `sequenceAck`, and recovery: a dropped connection keeps its session (groups and unacked
 *   messages) for `recoveryWindowMs`, and a reconnect with `awps_connection_id` and
 *   `awps_reconnection_token` resumes it and redelivers what was not acked.
 * As the service does, REST sends (to all, a group, a user or a connection) arrive as `from: "server"`;
 * `from: "group"` (with `fromUserId`) is for clients' own `sendToGroup`.
 */
export interface WebPubSubOptions {
  /** 0 or unset picks a free port. */
  readonly port?: number;
  /** The AccessKey the connection string carries; random unless set. */
  readonly accessKey?: string;
  /** How long a dropped reliable connection's session waits for its client to recover (default 60 s). */
  readonly recoveryWindowMs?: number;
  /** Unacked messages a reliable session may hold before the service drops it (default 1,000). */
  readonly maxUnacked?: number;
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
  /** The open sessions (connections, including reliable ones waiting for recovery). */
  connections(): readonly ConnectionInfo[];
  /**
   * Simulates a network outage: `true` cuts every client WebSocket without a close frame (reliable
   * sessions wait for recovery) and refuses new client connections with 503 until `false`. REST calls
   * keep working, so messages sent meanwhile wait in the reliable sessions.
   */
  setOffline(offline: boolean): void;
  /** Closes every client WebSocket and HTTP connection, then the listener. */
  stop(): Promise<void>;
}

export type ClientProtocol = "plain" | typeof JSON_PROTOCOL | typeof RELIABLE_PROTOCOL;

export interface ConnectionInfo {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly protocol: ClientProtocol;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  /** False while a reliable session waits for its client to recover. */
  readonly attached: boolean;
}

export const JSON_PROTOCOL = "json.webpubsub.azure.v1";
export const RELIABLE_PROTOCOL = "json.reliable.webpubsub.azure.v1";
const SUPPORTED_PROTOCOLS: readonly string[] = [JSON_PROTOCOL, RELIABLE_PROTOCOL];
/** The close code that tells a reliable client its session is gone and recovery is pointless. */
const SESSION_GONE = 1008;

interface Connection {
  readonly id: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly groups: Set<string>;
  readonly roles: readonly string[];
  readonly protocol: ClientProtocol;
  /** Undefined while a reliable session waits for recovery. */
  socket: WebSocket | undefined;
  readonly reconnectionToken: string;
  /** The last sequence id given out (reliable only). */
  sequence: number;
  /** Sent but not yet acked by the client, oldest first (reliable only). */
  readonly unacked: { readonly sequenceId: number; readonly frame: string }[];
  /** ackIds of requests already carried out, answered `Duplicate` when sent again. */
  readonly doneAckIds: Set<number>;
  recoveryTimer: NodeJS.Timeout | undefined;
}

/** A message on its way to connections, before it is framed for each one's protocol. */
interface Payload {
  readonly dataType: "json" | "text" | "binary";
  /** Parsed JSON, a string, or base64 for binary. */
  readonly data: unknown;
  readonly from:
    | { readonly kind: "server" }
    | { readonly kind: "group"; readonly group: string; readonly userId?: string | undefined };
  /** A REST body exactly as sent, which plain WebSocket clients receive unchanged. */
  readonly raw?: Buffer;
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

  const recoveryWindowMs = options.recoveryWindowMs ?? 60_000;
  const maxUnacked = options.maxUnacked ?? 1_000;
  let offline = false;
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => [...offered].find((p) => SUPPORTED_PROTOCOLS.includes(p)) ?? false,
  });

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
    const payload = restPayload(contentType, body);
    let delivered = 0;
    for (const conn of hub.connections.values()) {
      if (excluded.has(conn.id)) continue;
      const reached =
        target.kind === "all" ||
        (target.kind === "group" && conn.groups.has(target.name)) ||
        (target.kind === "user" && conn.userId === target.id) ||
        (target.kind === "connection" && conn.id === target.id);
      if (reached && deliver(conn, payload)) delivered++;
    }
    counters.messages++;
    counters.delivered += delivered;
    sentLog.push({
      hub: hubName,
      target,
      contentType,
      body: body.toString(payload.dataType === "binary" ? "base64" : "utf8"),
      delivered,
    });
    if (sentLog.length > KEEP_SENT) sentLog.shift();
  }

  /**
   * Hands one message to one connection in its protocol's shape. A reliable session keeps it until
   * acked, also while it waits for recovery. True when it was sent or kept for redelivery.
   */
  function deliver(conn: Connection, payload: Payload): boolean {
    if (conn.protocol === "plain") {
      if (conn.socket?.readyState !== WebSocket.OPEN) return false;
      if (payload.dataType === "binary")
        conn.socket.send(payload.raw ?? Buffer.from(payload.data as string, "base64"), { binary: true });
      else if (payload.raw !== undefined) conn.socket.send(payload.raw.toString("utf8"));
      else
        conn.socket.send(
          payload.dataType === "json" ? JSON.stringify(payload.data) : (payload.data as string),
        );
      return true;
    }
    const message: Record<string, unknown> = {
      type: "message",
      from: payload.from.kind,
      ...(payload.from.kind === "group" ? { group: payload.from.group } : {}),
      dataType: payload.dataType,
      data: payload.data,
      ...(payload.from.kind === "group" && payload.from.userId !== undefined
        ? { fromUserId: payload.from.userId }
        : {}),
    };
    if (conn.protocol === RELIABLE_PROTOCOL) {
      conn.sequence++;
      const frame = JSON.stringify({ ...message, sequenceId: conn.sequence });
      conn.unacked.push({ sequenceId: conn.sequence, frame });
      if (conn.unacked.length > maxUnacked) {
        // As the service does with a client that does not ack: the session is dropped.
        endSession(conn, "Too many unacknowledged messages.");
        return false;
      }
      if (conn.socket?.readyState === WebSocket.OPEN) conn.socket.send(frame);
      return true;
    }
    if (conn.socket?.readyState !== WebSocket.OPEN) return false;
    conn.socket.send(JSON.stringify(message));
    return true;
  }

  function close(
    hub: Hub,
    which: (conn: Connection) => boolean,
    reason: string | undefined,
    excluded: ReadonlySet<string>,
  ): void {
    for (const conn of [...hub.connections.values()]) {
      if (excluded.has(conn.id) || !which(conn)) continue;
      endSession(conn, reason);
    }
  }

  /**
   * Removes a session for good: a subprotocol client is told why, and its socket closes; a reliable
   * one with 1008, which says the session is gone, so the client does not try to recover it.
   */
  function endSession(conn: Connection, reason: string | undefined): void {
    const code = conn.protocol === RELIABLE_PROTOCOL ? SESSION_GONE : 1000;
    const hub = hubOf(conn.hub);
    hub.connections.delete(conn.id);
    if (conn.recoveryTimer !== undefined) clearTimeout(conn.recoveryTimer);
    const socket = conn.socket;
    conn.socket = undefined;
    if (socket === undefined) return;
    if (conn.protocol !== "plain" && socket.readyState === WebSocket.OPEN)
      socket.send(JSON.stringify({ type: "system", event: "disconnected", message: reason ?? "" }));
    socket.close(
      code,
      Buffer.from(reason ?? "")
        .subarray(0, 120)
        .toString("utf8"),
    );
  }

  /** A reliable session lost its socket (not closed by the service): it waits for recovery. */
  function detach(conn: Connection, socket: WebSocket): void {
    if (conn.socket !== socket) return;
    conn.socket = undefined;
    if (conn.protocol !== RELIABLE_PROTOCOL) {
      hubOf(conn.hub).connections.delete(conn.id);
      return;
    }
    conn.recoveryTimer = setTimeout(() => {
      if (conn.socket === undefined) hubOf(conn.hub).connections.delete(conn.id);
    }, recoveryWindowMs);
    conn.recoveryTimer.unref();
  }

  function attach(conn: Connection, ws: WebSocket): void {
    if (conn.recoveryTimer !== undefined) clearTimeout(conn.recoveryTimer);
    conn.recoveryTimer = undefined;
    conn.socket = ws;
    ws.on("close", () => detach(conn, ws));
    ws.on("error", () => ws.terminate());
    ws.on("message", (data: RawData, binary: boolean) => {
      if (conn.protocol === "plain") return; // would go to an upstream event handler; there is none
      if (binary) return;
      onRequest(conn, rawText(data));
    });
    if (conn.protocol === "plain") return;
    ws.send(
      JSON.stringify({
        type: "system",
        event: "connected",
        ...(conn.userId === undefined ? {} : { userId: conn.userId }),
        connectionId: conn.id,
        ...(conn.protocol === RELIABLE_PROTOCOL ? { reconnectionToken: conn.reconnectionToken } : {}),
      }),
    );
    for (const { frame } of conn.unacked) ws.send(frame);
  }

  /** One request of a subprotocol client. Frames that are not JSON objects are ignored. */
  function onRequest(conn: Connection, text: string): void {
    let request: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null) return;
      request = parsed as Record<string, unknown>;
    } catch {
      return;
    }
    const ackId = typeof request.ackId === "number" ? request.ackId : undefined;
    const reply = (message: object): void => {
      if (conn.socket?.readyState === WebSocket.OPEN) conn.socket.send(JSON.stringify(message));
    };
    const ack = (error?: { name: string; message: string }): void => {
      if (ackId === undefined) return;
      if (error === undefined) conn.doneAckIds.add(ackId);
      reply({ type: "ack", ackId, success: error === undefined, ...(error === undefined ? {} : { error }) });
    };
    const group = typeof request.group === "string" ? request.group : "";
    const forbidden = (action: string): { name: string; message: string } => ({
      name: "Forbidden",
      message: `The connection has no permission to ${action} group '${group}'.`,
    });
    switch (request.type) {
      case "ping":
        return reply({ type: "pong" });
      case "sequenceAck": {
        if (typeof request.sequenceId !== "number") return;
        const upTo = request.sequenceId;
        while (conn.unacked.length > 0 && conn.unacked[0]!.sequenceId <= upTo) conn.unacked.shift();
        return;
      }
      case "joinGroup":
      case "leaveGroup":
      case "sendToGroup":
      case "event":
        break;
      default:
        return;
    }
    if (ackId !== undefined && conn.doneAckIds.has(ackId))
      return reply({
        type: "ack",
        ackId,
        success: false,
        error: { name: "Duplicate", message: `Message with ack-id: ${ackId} has been processed.` },
      });
    switch (request.type) {
      case "joinGroup":
      case "leaveGroup":
        if (group === "" || !allowed(conn.roles, "webpubsub.joinLeaveGroup", group))
          return ack(forbidden(request.type === "joinGroup" ? "join" : "leave"));
        if (request.type === "joinGroup") conn.groups.add(group);
        else conn.groups.delete(group);
        return ack();
      case "sendToGroup": {
        if (group === "" || !allowed(conn.roles, "webpubsub.sendToGroup", group))
          return ack(forbidden("send to"));
        const payload = clientPayload(request, { kind: "group", group, userId: conn.userId });
        if (payload === undefined)
          return ack({ name: "InternalServerError", message: "The message has no valid dataType and data." });
        for (const other of hubOf(conn.hub).connections.values()) {
          if (!other.groups.has(group) || (request.noEcho === true && other.id === conn.id)) continue;
          if (deliver(other, payload)) counters.delivered++;
        }
        return ack();
      }
      default:
        // An event would go to the hub's upstream event handler; the local service has none.
        return ack({ name: "InternalServerError", message: "No event handler is configured for this hub." });
    }
  }

  async function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", endpoint);
    const match = /^\/client\/hubs\/([A-Za-z][A-Za-z0-9_]*)$/.exec(url.pathname);
    if (match?.[1] === undefined) return rejectUpgrade(socket, 404, "Not Found");
    if (offline) return rejectUpgrade(socket, 503, "Service Unavailable");
    const hubName = match[1];
    const offered = (req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "");
    const protocol: ClientProtocol | undefined =
      offered.length === 0
        ? "plain"
        : (offered.find((p) => SUPPORTED_PROTOCOLS.includes(p)) as ClientProtocol);
    if (protocol === undefined) return rejectUpgrade(socket, 400, "Bad Request (unsupported subprotocol)");
    const hub = hubOf(hubName);

    const resumeId = url.searchParams.get("awps_connection_id");
    if (resumeId !== null && protocol === RELIABLE_PROTOCOL) {
      // Recovery needs no access token: the reconnection token proves the session is the caller's.
      const conn = hub.connections.get(resumeId);
      const token = url.searchParams.get("awps_reconnection_token");
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (conn === undefined || conn.protocol !== RELIABLE_PROTOCOL || token !== conn.reconnectionToken) {
          ws.send(JSON.stringify({ type: "system", event: "disconnected", message: "The session is gone." }));
          ws.close(SESSION_GONE, "The session is gone.");
          return;
        }
        conn.socket?.terminate();
        attach(conn, ws);
      });
      return;
    }

    const token = url.searchParams.get("access_token") ?? bearerToken(req.headers.authorization) ?? undefined;
    const check = await verifyAccessKeyToken(token, accessKey, `${endpoint}/client/hubs/${hubName}`);
    if (!check.ok) {
      refuse(check.problem);
      return rejectUpgrade(socket, 401, "Unauthorized");
    }
    const userId =
      typeof check.claims.sub === "string" && check.claims.sub !== "" ? check.claims.sub : undefined;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const groups = new Set(stringList(check.claims["webpubsub.group"]));
      for (const group of userId === undefined ? [] : (hub.userGroups.get(userId) ?? [])) groups.add(group);
      const conn: Connection = {
        id: randomUUID(),
        hub: hubName,
        userId,
        groups,
        roles: stringList(check.claims.role),
        protocol,
        socket: undefined,
        reconnectionToken: randomBytes(24).toString("base64url"),
        sequence: 0,
        unacked: [],
        doneAckIds: new Set(),
        recoveryTimer: undefined,
      };
      hub.connections.set(conn.id, conn);
      attach(conn, ws);
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
    connections: () =>
      [...hubs.values()].flatMap((hub) =>
        [...hub.connections.values()].map((conn) => ({
          connectionId: conn.id,
          hub: conn.hub,
          userId: conn.userId,
          protocol: conn.protocol,
          groups: [...conn.groups],
          roles: [...conn.roles],
          attached: conn.socket !== undefined,
        })),
      ),
    setOffline: (value) => {
      offline = value;
      if (value) for (const client of wss.clients) client.terminate();
    },
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      for (const hub of hubs.values()) {
        for (const conn of hub.connections.values())
          if (conn.recoveryTimer !== undefined) clearTimeout(conn.recoveryTimer);
        hub.connections.clear();
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Whether `roles` grant `permission` on `group`: the permission itself, or scoped to that group. */
function allowed(roles: readonly string[], permission: string, group: string): boolean {
  return roles.includes(permission) || roles.includes(`${permission}.${group}`);
}

/** A REST body as the JSON subprotocols carry it: JSON parsed, text as is, anything else base64. */
function restPayload(contentType: string, body: Buffer): Payload {
  const from = { kind: "server" } as const;
  if (/^application\/json\b/i.test(contentType)) {
    try {
      return { dataType: "json", data: JSON.parse(body.toString("utf8")) as unknown, from, raw: body };
    } catch {
      return { dataType: "text", data: body.toString("utf8"), from, raw: body };
    }
  }
  if (/^text\/plain\b/i.test(contentType))
    return { dataType: "text", data: body.toString("utf8"), from, raw: body };
  return { dataType: "binary", data: body.toString("base64"), from, raw: body };
}

function clientPayload(request: Record<string, unknown>, from: Payload["from"]): Payload | undefined {
  const { dataType, data } = request;
  if (dataType === "json" && data !== undefined) return { dataType, data, from };
  if ((dataType === "text" || dataType === "binary") && typeof data === "string")
    return { dataType, data, from };
  return undefined;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
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

import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { functionCatalog } from "../../../functions/catalog";
import { hostRoute, type HttpFunctionDefinition } from "../../../functions/lib/definition";
import { startAdminStack, type AdminStack } from "../../support/admin-stack";
import type { AuthStack, CookieJar } from "../auth/helpers";

/**
 * Hostile input against every HTTP route of the catalogue, on the local host with the whole app behind
 * it (Azurite, the M365 simulator) and a signed-in admin, so requests get past sign-in to the parsers:
 * malformed percent-encoding, bad Host headers, bodies announced far past any limit, bodies that never
 * arrive, and JSON in another charset. None may answer 5xx; each refusal is problem+json.
 */
const routes = functionCatalog.filter((f): f is HttpFunctionDefinition => f.kind === "http");
const BODY_TIMEOUT_MS = 300;

let stack: AuthStack;
let admin: CookieJar;
let app: AdminStack;
/** A second host on the same app settings, with a short body timeout. */
let slowBodies: RunningHost;

beforeAll(async () => {
  app = await startAdminStack();
  ({ stack, admin } = app);
  slowBodies = await startHost({
    functions: routes,
    port: 0,
    env: {},
    logger: memoryLogger(),
    timers: false,
    bodyTimeoutMs: BODY_TIMEOUT_MS,
  });
}, 60_000);
afterAll(async () => {
  await slowBodies.stop();
  await app.stop();
});

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends bytes as they are (no client fixes them up) and reads the answer until the server closes. */
function raw(port: number, head: string, body = ""): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = text.slice(0, split).split("\r\n");
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      let rest = text.slice(split + 4);
      if (headers["transfer-encoding"] === "chunked") {
        let decoded = "";
        for (;;) {
          const eol = rest.indexOf("\r\n");
          const size = parseInt(rest.slice(0, eol), 16);
          if (!(size > 0)) break;
          decoded += rest.slice(eol + 2, eol + 2 + size);
          rest = rest.slice(eol + 2 + size + 2);
        }
        rest = decoded;
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest });
    });
    socket.write(head.replace(/\n/g, "\r\n") + "\r\n");
    if (body !== "") socket.write(body);
  });
}

/** The route's path with every parameter replaced by `value` (already encoded). */
const pathOf = (route: HttpFunctionDefinition, value: string): string =>
  `/${hostRoute(route).replace(/\{[^}]+\}/g, value)}`;

const cookieFor = (route: HttpFunctionDefinition): string =>
  route.name === "auth-logout" ? "" : `Cookie: ${admin.header()}\n`;

function expectProblem(response: RawResponse, status: number, code: string): void {
  expect({ status: response.status, type: response.headers["content-type"] }).toEqual({
    status,
    type: "application/problem+json",
  });
  expect((JSON.parse(response.body) as { type: string }).type).toBe(`urn:ones:problem:${code}`);
}

const requests = routes.flatMap((route) => route.methods.map((method) => ({ route, method })));

describe("hostile input on every route of the catalogue", () => {
  it("covers every HTTP function of the catalogue", () => {
    expect(routes.length).toBeGreaterThanOrEqual(21);
    expect(new Set(requests.map((r) => r.route.name))).toEqual(new Set(routes.map((r) => r.name)));
  });

  it.each(requests.map((r) => [`${r.method} /${hostRoute(r.route)}`, r] as const))(
    "%s: malformed percent-encoding is 400, or no 5xx where the route has no parameter",
    async (_, { route, method }) => {
      const hasParams = route.route.includes("{");
      const target = hasParams ? pathOf(route, "%ZZ") : `${pathOf(route, "")}?returnTo=%ZZ&kind=%E0%A4%A`;
      const response = await raw(
        stack.host.port,
        `${method} ${target} HTTP/1.1\nHost: 127.0.0.1\nOrigin: ${stack.host.baseUrl}\n${cookieFor(route)}Content-Length: 0\nConnection: close\n`,
      );
      if (hasParams) expectProblem(response, 400, "malformed-request");
      else expect(response.status).toBeLessThan(500);
    },
  );

  it.each(requests.map((r) => [`${r.method} /${hostRoute(r.route)}`, r] as const))(
    "%s: an invalid Host header is 400",
    async (_, { route, method }) => {
      for (const host of ["exa mple", "a/b", "x@y", ""]) {
        const response = await raw(
          stack.host.port,
          `${method} ${pathOf(route, "x")} HTTP/1.1\nHost: ${host}\nContent-Length: 0\nConnection: close\n`,
        );
        expectProblem(response, 400, "malformed-request");
      }
    },
  );

  it.each(requests.map((r) => [`${r.method} /${hostRoute(r.route)}`, r] as const))(
    "%s: a body announced far past the limit is refused with 413 at once",
    async (_, { route, method }) => {
      const response = await raw(
        stack.host.port,
        `${method} ${pathOf(route, "x")} HTTP/1.1\nHost: 127.0.0.1\nOrigin: ${stack.host.baseUrl}\n${cookieFor(route)}Content-Type: application/json\nContent-Length: 1000000000000\n`,
        '{"a":',
      );
      expectProblem(response, 413, "payload-too-large");
    },
  );

  it.each(requests.map((r) => [`${r.method} /${hostRoute(r.route)}`, r] as const))(
    "%s: a body that never arrives in full is 408 after the body timeout",
    async (_, { route, method }) => {
      const response = await raw(
        slowBodies.port,
        `${method} ${pathOf(route, "x")} HTTP/1.1\nHost: 127.0.0.1\nOrigin: ${stack.host.baseUrl}\n${cookieFor(route)}Content-Type: application/json\nContent-Length: 100\n`,
        '{"a":',
      );
      expectProblem(response, 408, "request-timeout");
    },
  );

  it.each(
    requests.filter((r) => r.method !== "GET").map((r) => [`${r.method} /${hostRoute(r.route)}`, r] as const),
  )("%s: JSON in UTF-16 is never read as UTF-8, and nothing answers 5xx", async (_, { route, method }) => {
    const body = Buffer.from('{"name":"x"}', "utf16le");
    const response = await fetch(`${stack.host.baseUrl}${pathOf(route, "x")}`, {
      method,
      headers: {
        "content-type": "application/json; charset=utf-16",
        origin: stack.host.baseUrl,
        ...(route.name === "auth-logout" ? {} : { cookie: admin.header() }),
      },
      body,
    });
    expect(response.status).toBeLessThan(500);
  });

  it("refuses JSON in another charset with 415 where a body is read", async () => {
    for (const charset of ["utf-16", "UTF-16LE", "iso-8859-1", '"windows-1252"']) {
      const response = await fetch(`${stack.host.baseUrl}/api/admin/buildings/b1`, {
        method: "PUT",
        headers: {
          "content-type": `application/json; charset=${charset}`,
          origin: stack.host.baseUrl,
          cookie: admin.header(),
        },
        body: JSON.stringify({ name: "Tower" }),
      });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { type: string }).type).toBe(
        "urn:ones:problem:unsupported-media-type",
      );
    }
  });

  it("answers the malformed paths first reported with 400, whatever the method", async () => {
    for (const line of [
      "PUT /api/admin/buildings/%ZZ",
      "GET /api/admin/sync/%ZZ",
      "GET /api/admin/buildings/%E0%A4%A",
    ]) {
      const response = await raw(
        stack.host.port,
        `${line} HTTP/1.1\nHost: 127.0.0.1\nOrigin: ${stack.host.baseUrl}\nCookie: ${admin.header()}\nConnection: close\n`,
      );
      expectProblem(response, 400, "malformed-request");
    }
  });

  it("answers a request node:http cannot parse with a 400 problem too", async () => {
    for (const header of ["Content-Length: ten", "Bad Header: x", "X-Null: a\u0000b"]) {
      const response = await raw(stack.host.port, `GET /api/health HTTP/1.1\nHost: 127.0.0.1\n${header}\n`);
      expectProblem(response, 400, "malformed-request");
    }
  });

  it("refuses a CSV body in another charset with 415", async () => {
    const response = await fetch(`${stack.host.baseUrl}/api/admin/rooms/import`, {
      method: "POST",
      headers: {
        "content-type": "text/csv; charset=utf-16",
        origin: stack.host.baseUrl,
        cookie: admin.header(),
      },
      body: Buffer.from("email\nroom@contoso.example\n", "utf16le"),
    });
    expect(response.status).toBe(415);
  });

  it("answers HEAD on GET routes like GET, without a body", async () => {
    const get = await fetch(`${stack.host.baseUrl}/api/integration/capabilities`, {
      headers: { cookie: admin.header() },
    });
    const head = await raw(
      stack.host.port,
      `HEAD /api/integration/capabilities HTTP/1.1\nHost: 127.0.0.1\nCookie: ${admin.header()}\nConnection: close\n`,
    );
    expect(head.status).toBe(get.status);
    expect(head.headers["content-type"]).toBe(get.headers.get("content-type"));
    expect(head.body).toBe("");
    const health = await raw(
      stack.host.port,
      `HEAD /api/health HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n`,
    );
    expect(health.status).toBe(200);
    expect(health.body).toBe("");
    // A POST-only route still says what it allows.
    const wrong = await raw(
      stack.host.port,
      `HEAD /api/auth/logout HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n`,
    );
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
  });
});

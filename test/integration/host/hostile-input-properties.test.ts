import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { functionCatalog } from "../../../functions/catalog";
import { SESSION_COOKIE } from "../../../functions/lib/cookies";
import { hostRoute, registeredMethods, type HttpFunctionDefinition } from "../../../functions/lib/definition";
import { startAdminStack, type AdminStack } from "../../support/admin-stack";
import { tablesDigest, type TablesDigest } from "../../support/table-digest";

/**
 * Property-based hostile input on every HTTP route of the catalogue (methods, route parameters and body
 * fields all derived from it, so a route added later is covered without touching this file): arbitrary
 * JSON, wrong types, huge and deeply nested bodies, odd content types, invalid UTF-8, long headers,
 * unicode in every string field and random path parameter values, each sent anonymously and as a
 * signed-in admin. Every answer is the route's success or a well-formed problem+json 4xx — never a 5xx,
 * a stack trace or an SDK's message — and a refused request stores nothing (a digest of every row of
 * every table before and after).
 *
 * Bounded: a fixed seed and HOSTILE_RUNS runs per route, method and caller (HOSTILE_SEED to vary it).
 */
const SEED = Number(process.env.HOSTILE_SEED ?? 20_261_203);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 6);

const routes = functionCatalog.filter((f): f is HttpFunctionDefinition => f.kind === "http");
type Caller = "anonymous" | "admin";
const cases = routes.flatMap((route) =>
  registeredMethods(route).flatMap((method) =>
    (["anonymous", "admin"] as const).map((caller) => ({ route, method, caller })),
  ),
);

let app: AdminStack;
/** Per route: the body fields its schema asked for when sent `{}` (dotted paths), found at start. */
const fieldsOf = new Map<string, string[]>();

beforeAll(async () => {
  app = await startAdminStack();
  for (const route of routes) {
    const method = route.methods.find((m) => m !== "GET");
    if (method === undefined) continue;
    const answer = await send(route, method, "admin", {
      params: {},
      query: "",
      headers: { "content-type": "application/json" },
      body: Buffer.from("{}"),
    });
    const problem = parseProblem(answer.body);
    fieldsOf.set(
      route.name,
      (problem?.errors ?? []).map((e) => e.path).filter((p) => p !== "(body)"),
    );
  }
}, 60_000);
afterAll(async () => {
  await app.stop();
});

// ---------------------------------------------------------------- requests

interface HostileRequest {
  /** Route parameter name → value as it goes in the path (already percent-encoded). */
  readonly params: Record<string, string>;
  /** Query string without `?`, already encoded ("" for none). */
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Parameter names of a Functions route template (`rooms/{id}`, `{kind:alpha}`, `{x?}`). */
const paramNames = (route: HttpFunctionDefinition): string[] =>
  [...route.route.matchAll(/\{([^}:?]+)[^}]*\}/g)].map((m) => m[1] as string);

const pathOf = (route: HttpFunctionDefinition, params: Record<string, string>): string =>
  `/${hostRoute(route).replace(/\{([^}:?]+)[^}]*\}/g, (_, name: string) => params[name] ?? "x")}`;

function send(
  route: HttpFunctionDefinition,
  method: string,
  caller: Caller,
  r: HostileRequest,
): Promise<Answer> {
  const host = app.stack.host;
  const headers: Record<string, string> = { ...r.headers, connection: "close" };
  if (caller === "admin") {
    headers.cookie = app.admin.header();
    // Signing out would end the admin's session: that route is sent cross-site, so it is refused.
    headers.origin = route.name === "auth-logout" ? "https://elsewhere.example" : host.baseUrl;
  }
  if (r.body !== undefined) headers["content-length"] = String(r.body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: host.port,
        method,
        path: `${pathOf(route, r.params)}${r.query === "" ? "" : `?${r.query}`}`,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    // The server may refuse and close before a large body is written in full.
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" ? undefined : reject(e)));
    req.end(r.body);
  });
}

// ---------------------------------------------------------------- generators

/** Every byte percent-encoded: any byte sequence, invalid UTF-8 included, as a path segment. */
const percentBytes = (bytes: Uint8Array): string =>
  [...bytes].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");

const unicodeText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "\u202e\u0645\u0631\u062d\u0628\u0627", "\ud83d\ude00", "\ud800"),
);

/** A path parameter value: any text or bytes, dot segments, separators, very long. */
const paramValue = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 30 }).map(encodeURIComponent),
  fc.uint8Array({ maxLength: 30 }).map(percentBytes),
  fc.constantFrom("", "..", "%2e%2e", "%2F", "a%00b", "x".repeat(3000), "%C0%AF", "%ED%A0%80", "-1", "0"),
);

/** Values that are the wrong type, the wrong size or unusual text for any field. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  unicodeText,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 1.5, [], {}, [null], { "": "" }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 3 }).map((s) => s.repeat(5000)),
  fc.jsonValue({ maxDepth: 3, stringUnit: "grapheme" }),
  fc.integer().map((n) => "9".repeat(Math.abs(n % 400) + 1)),
);

/** Sets `a.b.c` in an object, creating the objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = target;
  for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[keys.at(-1) as string] = value;
}

/** An object with the route's own field names (dotted paths nest), each holding a hostile value. */
function shapedBody(fields: readonly string[]): fc.Arbitrary<unknown> {
  if (fields.length === 0) return fc.dictionary(unicodeText, hostileValue, { maxKeys: 4 });
  return fc.tuple(...fields.map(() => fc.option(hostileValue, { nil: undefined }))).map((values) => {
    const out: Record<string, unknown> = {};
    fields.forEach((path, i) => values[i] !== undefined && setPath(out, path, values[i]));
    return out;
  });
}

const nested = (depth: number, open: string, close: string, leaf = "1"): string =>
  `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  'application/json; charset="UTF-8"',
  "APPLICATION/JSON",
  "application/merge-patch+json",
  "application/problem+json; charset=utf-8",
  "text/csv",
  "text/csv; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=--x",
  "application/octet-stream",
  "application/json; charset=utf-16",
  "application/json; charset",
  "application/json;;;",
  "json",
  "*/*",
  "",
];

function bodyArb(fields: readonly string[]): fc.Arbitrary<Buffer> {
  const json = (v: fc.Arbitrary<unknown>) => v.map((x) => Buffer.from(JSON.stringify(x) ?? "null"));
  return fc.oneof(
    json(shapedBody(fields)),
    json(shapedBody(fields)),
    json(fc.jsonValue({ maxDepth: 4, stringUnit: "grapheme" })),
    json(hostileValue),
    // Deeply nested arrays and objects, as the body and inside a field.
    fc.integer({ min: 1_000, max: 60_000 }).map((d) => Buffer.from(nested(d, "[", "]"))),
    fc.integer({ min: 1_000, max: 30_000 }).map((d) => Buffer.from(nested(d, '{"a":', "}"))),
    fc
      .constantFrom(...(fields.length > 0 ? fields : ["a"]))
      .map((f) => Buffer.from(`{"${f.split(".")[0] ?? "a"}":${nested(20_000, "[", "]")}}`)),
    // Huge: past the JSON limit, and just under it.
    fc.constantFrom(300 * 1024, 250 * 1024).map((n) => Buffer.from(`{"a":"${"x".repeat(n)}"}`)),
    // Not JSON at all, invalid UTF-8, and keys that mean something to JavaScript.
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    fc
      .constantFrom(
        '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}',
        "\ufeff{}",
        '{"a":1,"a":2}',
        "{'a':1}",
        "NaN",
        "email\nroom@contoso.example\n",
        '"\\ud800"',
        "\xff\xfe{}",
      )
      .map((s) => Buffer.from(s, s.startsWith("\xff") ? "latin1" : "utf8")),
    fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
  );
}

/** A header value of raw bytes (node writes a string's chars as latin1 bytes, so UTF-8 goes out as is). */
const headerBytes = fc.string({ unit: "grapheme", maxLength: 40 }).map((s) =>
  [...Buffer.from(s, "utf8")]
    .filter((b) => b >= 0x20 && b !== 0x7f)
    .map((b) => String.fromCharCode(b))
    .join(""),
);

const contentType = fc.oneof(
  { arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8"), weight: 4 },
  { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 },
  { arbitrary: headerBytes, weight: 1 },
);

/** Headers anyone may send; credentials only for anonymous callers (an admin's would replace the session). */
function headersArb(caller: Caller): fc.Arbitrary<Record<string, string>> {
  const common = {
    "content-type": contentType,
    "x-long": fc.integer({ min: 1_000, max: 20_000 }).map((n) => "a".repeat(n)),
    "x-unicode": headerBytes,
    accept: fc.constantFrom("*/*", "application/xml", "text/html;q=0", "\u00ff"),
  };
  const credentials = {
    authorization: fc.oneof(
      fc.constantFrom("Bearer", "Bearer ", "Bearer a.b.c", "Basic Zm9vOmJhcg==", "Bearer eyJ.eyJ."),
      headerBytes.map((v) => `Bearer ${v}`),
    ),
    cookie: headerBytes.map((v) => `${SESSION_COOKIE}=${v}`),
  };
  return fc.record(caller === "admin" ? common : { ...common, ...credentials }, { requiredKeys: [] });
}

function requestArb(
  route: HttpFunctionDefinition,
  method: string,
  caller: Caller,
): fc.Arbitrary<HostileRequest> {
  const names = paramNames(route);
  const withBody = method !== "GET" && method !== "HEAD";
  return fc.record(
    {
      params: fc
        .tuple(...names.map(() => paramValue))
        .map((values) => Object.fromEntries(names.map((n, i) => [n, values[i] as string]))),
      query: fc.oneof(
        fc.constant(""),
        fc
          .array(fc.tuple(unicodeText, unicodeText), { maxLength: 4 })
          .map((pairs) =>
            pairs
              .map(([k, v]) => `${percentBytes(Buffer.from(k))}=${percentBytes(Buffer.from(v))}`)
              .join("&"),
          ),
        fc.constantFrom(
          "returnTo=%ZZ",
          "returnTo=https://elsewhere.example/",
          "code=&state=",
          "top=-1&skip=1e9",
        ),
      ),
      headers: headersArb(caller).map((h) => ({ ...h })),
      body: withBody
        ? fc.option(bodyArb(fieldsOf.get(route.name) ?? []), { nil: undefined, freq: 8 })
        : fc.constant(undefined),
    },
    { requiredKeys: ["params", "query", "headers"] },
  );
}

// ---------------------------------------------------------------- checks

interface Problem {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  correlationId?: unknown;
  errors?: { path: string; message: string }[];
}

function parseProblem(body: string): Problem | undefined {
  try {
    return JSON.parse(body) as Problem;
  } catch {
    return undefined;
  }
}

/** What must never reach a caller: stack frames, source paths, SDK and runtime error text. */
const LEAKS =
  /\n\s+at |\bat [\w.<>]+ \(|node_modules|\.ts:\d+|RestError|ECONNREFUSED|odata\.error|TableService|ServiceBusError|ZodError|TypeError|RangeError|SyntaxError|ReferenceError|Maximum call stack|Unexpected token|undefined is not/;

function checkAnswer(method: string, answer: Answer): void {
  expect(answer.status, answer.body.slice(0, 500)).toBeGreaterThanOrEqual(200);
  expect(answer.status, answer.body.slice(0, 500)).toBeLessThan(500);
  expect(answer.body).not.toMatch(LEAKS);
  if (answer.status < 400) return;
  expect(answer.headers["content-type"]).toBe("application/problem+json");
  if (method === "HEAD") return expect(answer.body).toBe("");
  const problem = parseProblem(answer.body);
  expect(problem).toMatchObject({
    type: expect.stringMatching(/^urn:ones:problem:[a-z-]+$/) as unknown,
    title: expect.any(String) as unknown,
    status: answer.status,
    detail: expect.any(String) as unknown,
    correlationId: expect.any(String) as unknown,
  });
}

/** Well-formed JSON with unicode (bidi, emoji, NUL, combining marks) in every field the route names. */
function unicodeExample(route: HttpFunctionDefinition, method: string): HostileRequest {
  const text = "\u202eRoom \u00e9\u0301 \ud83d\ude00\u0000 \u6703\u8b70\u5ba4";
  const body: Record<string, unknown> = {};
  for (const path of fieldsOf.get(route.name) ?? []) setPath(body, path, text);
  return {
    params: Object.fromEntries(paramNames(route).map((n) => [n, encodeURIComponent(text)])),
    query: `q=${encodeURIComponent(text)}`,
    headers: { "content-type": "application/json" },
    ...(method === "GET" || method === "HEAD" ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  };
}

const hashOf = (text: string): number => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7);

const digest = () => tablesDigest(inject("tablesConnectionString"), app.stack.prefix);

/**
 * Runs the property for one route, method and caller. An admin's writes may succeed and change the
 * store, so the store is compared around each of them; everything else is refused or reads only, so
 * one comparison around the whole batch says that none of it stored anything.
 */
/**
 * Tables a refused request of a route is meant to write: a wrong pairing code is counted towards the
 * guess limit (that count is the defence against guessing).
 */
const refusalsRecorded: Record<string, readonly string[]> = { "displays-pair": ["displaypairing"] };

/** The digest without the tables the route records its refusals in. */
const withoutRecordedRefusals = (route: HttpFunctionDefinition, d: TablesDigest): TablesDigest =>
  Object.fromEntries(
    Object.entries(d).filter(
      ([table]) => !(refusalsRecorded[route.name] ?? []).some((t) => table.endsWith(t)),
    ),
  );

async function hostileBatch(
  route: HttpFunctionDefinition,
  method: string,
  caller: Caller,
  seed: number,
): Promise<void> {
  const perRequest = caller === "admin" && method !== "GET" && method !== "HEAD";
  const digestOf = async (): Promise<TablesDigest> => withoutRecordedRefusals(route, await digest());
  const before = await digestOf();
  let baseline: TablesDigest = before;
  await fc.assert(
    fc.asyncProperty(requestArb(route, method, caller), async (r) => {
      const answer = await send(route, method, caller, r);
      checkAnswer(method, answer);
      if (!perRequest) return;
      const after = await digestOf();
      if (answer.status >= 400) expect(after, "a refused request changed the tables").toEqual(baseline);
      baseline = after;
    }),
    { seed, numRuns: RUNS, endOnFailure: perRequest, examples: [[unicodeExample(route, method)]] },
  );
  // The admin is still signed in, so every run got past sign-in to the parsers.
  if (caller === "admin") {
    const me = await fetch(`${app.stack.host.baseUrl}/api/me`, { headers: { cookie: app.admin.header() } });
    expect(me.status).toBe(200);
  }
  if (!perRequest) expect(await digestOf(), "a read or a refused request changed the tables").toEqual(before);
}

describe("hostile input, property-based, on every route of the catalogue", () => {
  it("covers every method of every HTTP function, anonymously and as admin", () => {
    expect(new Set(cases.map((c) => `${c.route.name} ${c.method}`)).size).toBe(
      routes.reduce((n, r) => n + registeredMethods(r).length, 0),
    );
    expect(cases.length).toBe(2 * routes.reduce((n, r) => n + registeredMethods(r).length, 0));
  });

  // Each case its own seed, derived from the route's name so that adding a route changes no other's.
  it.each(cases.map((c) => [`${c.method} /${hostRoute(c.route)} (${c.caller})`, c] as const))(
    "%s",
    async (name, { route, method, caller }) => {
      await hostileBatch(route, method, caller, SEED ^ hashOf(name));
    },
  );

  describe("regressions found by the properties", () => {
    const health = routes.find((r) => r.name === "health") as HttpFunctionDefinition;

    it("answers HEAD with headers too large to parse with a bodiless 400", async () => {
      const answer = await send(health, "HEAD", "anonymous", {
        params: {},
        query: "returnTo=%ZZ",
        headers: { "x-long": "a".repeat(20_000) },
      });
      expect({ status: answer.status, type: answer.headers["content-type"], body: answer.body }).toEqual({
        status: 400,
        type: "application/problem+json",
        body: "",
      });
    });
  });
});

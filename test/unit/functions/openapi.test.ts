import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { functionCatalog } from "../../../functions/catalog";
import { httpFunction, registeredMethods, type FunctionDefinition } from "../../../functions/lib/definition";
import {
  httpFunctions,
  openApiDocument,
  openApiPath,
  templateParams,
  undocumentedFunctions,
} from "../../../functions/lib/openapi";
import { statusByCode } from "../../../functions/lib/problem";
import { openApi } from "../../../functions/openapi";
import { errorCodes } from "../../../shared/domain/errors";

type Json = Record<string, unknown>;
const methods = ["get", "head", "post", "put", "patch", "delete", "options", "trace"];

/**
 * What stands between the catalogue and the document: every HTTP function described (else exactly what
 * to add, and where), every registered method of its route present, and nothing described that the
 * catalogue does not serve.
 */
function coverage(catalog: readonly FunctionDefinition[], doc: Json): string[] {
  const problems = undocumentedFunctions(catalog).map(
    (u) =>
      `${u.name} (${u.methods.join(", ")} ${u.path}) has no OpenAPI description: add ` +
      `\`api: { summary, auth, params?, query?, body?, responses, errors? }\` to its httpFunction in ` +
      `functions/${u.name}.ts, with the schemas its handler passes to parseInput/readJson`,
  );
  const served = new Set(
    httpFunctions(catalog).flatMap((d) => registeredMethods(d).map((m) => `${m} ${openApiPath(d)}`)),
  );
  const described = new Set(
    Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => methods.includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );
  const documented = new Set(
    httpFunctions(catalog)
      .filter((d) => d.api !== undefined)
      .flatMap((d) => registeredMethods(d).map((m) => `${m} ${openApiPath(d)}`)),
  );
  for (const route of documented)
    if (!described.has(route)) problems.push(`${route} is in the catalogue but not in the document`);
  for (const route of described)
    if (!served.has(route)) problems.push(`${route} is in the document but no function serves it`);
  return problems;
}

/** Structural checks of OpenAPI 3.1 (no network validator): required fields, refs, path parameters. */
function structuralProblems(doc: Json): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (typeof doc.openapi !== "string" || !/^3\.1\.\d+$/.test(doc.openapi)) fail("openapi", "not 3.1.x");
  const info = doc.info as Json | undefined;
  if (typeof info?.title !== "string" || typeof info.version !== "string") fail("info", "title and version");
  const components = (doc.components ?? {}) as Record<string, Json>;
  const resolve = (ref: string): unknown =>
    ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((at, key) => (at as Json | undefined)?.[key], doc);
  const refs = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => refs(v, `${where}/${i}`));
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (k === "$ref") {
          if (typeof v !== "string" || !v.startsWith("#/") || resolve(v) === undefined)
            fail(where, `unresolved $ref ${String(v)}`);
        } else refs(v, `${where}/${k}`);
      }
    }
  };
  refs(doc, "#");
  const schemes = Object.keys(components.securitySchemes ?? {});
  for (const [name, scheme] of Object.entries(components.securitySchemes ?? {}) as [string, Json][]) {
    if (!["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"].includes(scheme.type as string))
      fail(`securityScheme ${name}`, "type");
    if (
      scheme.type === "apiKey" &&
      (typeof scheme.name !== "string" || !["query", "header", "cookie"].includes(scheme.in as string))
    )
      fail(`securityScheme ${name}`, "apiKey needs name and in");
    if (scheme.type === "http" && typeof scheme.scheme !== "string") fail(`securityScheme ${name}`, "scheme");
  }
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    if (!path.startsWith("/")) fail(path, "path must start with /");
    const template = templateParams(path);
    for (const [method, raw] of Object.entries(item)) {
      const where = `${method} ${path}`;
      if (!methods.includes(method)) continue;
      const op = raw as Json;
      const id = op.operationId as string;
      if (operationIds.has(id)) fail(where, `operationId ${id} repeated`);
      operationIds.add(id);
      const responses = (op.responses ?? {}) as Record<string, Json>;
      if (Object.keys(responses).length === 0) fail(where, "no responses");
      for (const [status, response] of Object.entries(responses)) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) fail(where, `response key ${status}`);
        const r = (typeof response.$ref === "string" ? resolve(response.$ref) : response) as Json | undefined;
        if (typeof r?.description !== "string") fail(where, `response ${status} without description`);
      }
      const parameters = (op.parameters ?? []) as Json[];
      const seen = new Set<string>();
      for (const p of parameters) {
        if (typeof p.name !== "string" || !["query", "header", "path", "cookie"].includes(p.in as string))
          fail(where, "parameter needs name and in");
        if (p.schema === undefined && p.content === undefined)
          fail(where, `parameter ${String(p.name)} without schema`);
        if (p.in === "path" && p.required !== true)
          fail(where, `path parameter ${String(p.name)} not required`);
        const key = `${String(p.in)}:${String(p.name)}`;
        if (seen.has(key)) fail(where, `parameter ${key} twice`);
        seen.add(key);
      }
      const pathParams = parameters.filter((p) => p.in === "path").map((p) => p.name as string);
      if (pathParams.sort().join() !== [...template].sort().join())
        fail(where, `path parameters ${pathParams.join()} do not match the template's ${template.join()}`);
      const body = op.requestBody as Json | undefined;
      if (
        body !== undefined &&
        (typeof body.content !== "object" || Object.keys(body.content as Json).length === 0)
      )
        fail(where, "requestBody without content");
      for (const requirement of (op.security ?? []) as Json[])
        for (const name of Object.keys(requirement))
          if (!schemes.includes(name)) fail(where, `security scheme ${name} is not defined`);
    }
  }
  return problems;
}

const documentOf = (catalog: readonly FunctionDefinition[]) => openApiDocument(catalog) as Promise<Json>;
const operationOf = (doc: Json, path: string, method: string) =>
  ((doc.paths as Record<string, Json>)[path] as Record<string, Json>)[method] as Json;

describe("the OpenAPI document and the catalogue", () => {
  it("describes every HTTP route and method of the catalogue, and nothing else", async () => {
    const doc = await documentOf(functionCatalog);
    expect(coverage(functionCatalog, doc)).toEqual([]);
    expect(Object.keys(doc.paths as Json)).toContain("/api/openapi.json");
  });

  it("is structurally valid OpenAPI 3.1", async () => {
    const doc = await documentOf(functionCatalog);
    expect(doc.openapi).toBe("3.1.0");
    expect(structuralProblems(doc)).toEqual([]);
  });

  it("fails for a function added without api, and says what to add", async () => {
    const undocumented = httpFunction({
      name: "displays-rename",
      route: "displays/{id}/rename",
      methods: ["POST"],
      handler: () => Promise.resolve({ status: 204 }),
    });
    const catalog = [...functionCatalog, undocumented];
    expect(coverage(catalog, await documentOf(catalog))).toEqual([
      "displays-rename (POST /api/displays/{id}/rename) has no OpenAPI description: add " +
        "`api: { summary, auth, params?, query?, body?, responses, errors? }` to its httpFunction in " +
        "functions/displays-rename.ts, with the schemas its handler passes to parseInput/readJson",
    ]);
  });

  it("fails for a described route no function serves, and for a catalogue route missing from it", async () => {
    const doc = await documentOf(functionCatalog);
    const paths = { ...(doc.paths as Json) };
    paths["/api/room-census"] = {
      get: { operationId: "room-census", responses: { 200: { description: "x" } } },
    };
    delete paths["/api/me"];
    expect(coverage(functionCatalog, { ...doc, paths })).toEqual([
      "GET /api/me is in the catalogue but not in the document",
      "HEAD /api/me is in the catalogue but not in the document",
      "GET /api/room-census is in the document but no function serves it",
    ]);
  });

  it("structural checks catch a missing path parameter and a dangling reference", async () => {
    const doc = await documentOf(functionCatalog);
    const op = operationOf(doc, "/api/bookings/{id}", "get");
    const broken = structuredClone(doc);
    const brokenOp = operationOf(broken, "/api/bookings/{id}", "get");
    brokenOp.parameters = [];
    (brokenOp.responses as Json)["404"] = { $ref: "#/components/responses/Problem999" };
    expect(op.parameters).toEqual([
      {
        in: "path",
        name: "id",
        required: true,
        schema: expect.objectContaining({ type: "string", format: "uuid" }),
      },
    ]);
    expect(structuralProblems(broken)).toEqual([
      "#/paths//api/bookings/{id}/get/responses/404: unresolved $ref #/components/responses/Problem999",
      "get /api/bookings/{id}: response 404 without description",
      "get /api/bookings/{id}: path parameters  do not match the template's id",
    ]);
  });
});

describe("what the document says", () => {
  it("takes request bodies and parameters from the handlers' own schemas", async () => {
    const doc = await documentOf(functionCatalog);
    expect(operationOf(doc, "/api/displays/pair", "post").requestBody).toEqual({
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            properties: { code: { type: "string", minLength: 1, maxLength: 32 } },
            required: ["code"],
            additionalProperties: false,
          },
        },
      },
    });
    const imports = operationOf(doc, "/api/admin/rooms/import", "post");
    expect(Object.keys((imports.requestBody as Json).content as Json)).toEqual([
      "application/json",
      "text/csv",
    ]);
    expect(imports.parameters).toEqual([
      { in: "query", name: "delimiter", schema: { type: "string", enum: ["comma", "semicolon"] } },
    ]);
    const page = operationOf(doc, "/app/{path}", "get");
    expect(page.parameters).toEqual([
      {
        in: "path",
        name: "path",
        required: true,
        schema: { type: "string" },
        description: "The rest of the path; may contain slashes.",
      },
    ]);
    expect((page.responses as Json)["200"]).toEqual({
      description: "The page",
      content: { "text/html": {} },
    });
  });

  it("answers every error code as problem+json with the status problem.ts gives it", async () => {
    const doc = await documentOf(functionCatalog);
    const responses = (doc.components as Json).responses as Record<string, Json>;
    for (const code of errorCodes) {
      const { status } = statusByCode[code];
      const content = responses[`Problem${status}`]?.content as Json;
      const schema = (content["application/problem+json"] as Json).schema as { allOf: Json[] };
      const own = schema.allOf[1] as { properties: { type: { enum: string[] }; status: { const: number } } };
      expect(own.properties.type.enum).toContain(`urn:ones:problem:${code}`);
      expect(own.properties.status.const).toBe(status);
    }
    expect(Object.keys(responses).sort()).toEqual(
      [...new Set([...errorCodes.map((c) => statusByCode[c].status), 500])].sort().map((s) => `Problem${s}`),
    );
    const replay = operationOf(doc, "/api/admin/dead-letters/{id}/replay", "post").responses as Json;
    expect(Object.keys(replay)).toEqual(["200", "400", "401", "403", "404", "409", "500", "503"]);
    // A route's own 503 (health's report) is not replaced by the problem answer.
    expect((operationOf(doc, "/api/health", "get").responses as Json)["503"]).toEqual({
      description: "Unhealthy: a required dependency is down or the configuration is invalid",
      content: { "application/json": {} },
    });
  });

  it("names each route's credential", async () => {
    const doc = await documentOf(functionCatalog);
    const security = (path: string, method: string) => operationOf(doc, path, method).security;
    expect(Object.keys((doc.components as Json).securitySchemes as Json)).toEqual([
      "session",
      "entraToken",
      "displayCredential",
    ]);
    expect(security("/api/admin/sync", "get")).toEqual([{ session: [] }, { entraToken: [] }]);
    expect(security("/api/bookings", "post")).toEqual([{ session: [] }, { entraToken: [] }]);
    expect(security("/api/displays/schedule", "get")).toEqual([{ displayCredential: [] }]);
    expect(security("/api/displays/pair", "post")).toEqual([]);
    expect(security("/api/openapi.json", "get")).toEqual([]);
    expect(security("/api/health", "get")).toEqual([]);
    const notifications = operationOf(doc, "/api/graph/notifications", "post");
    expect([notifications.security, notifications["x-ones-credential"]]).toEqual([[], "graph-client-state"]);
    // Every admin route asks for an admin; every display route but pairing for the device credential.
    for (const d of httpFunctions(functionCatalog)) {
      const path = openApiPath(d);
      if (path.startsWith("/api/admin/")) expect([d.name, d.api?.auth]).toEqual([d.name, "admin"]);
      if (path.startsWith("/api/displays/") && d.name !== "displays-pair")
        expect([d.name, d.api?.auth]).toEqual([d.name, "device"]);
      if (path.startsWith("/api/graph/")) expect([d.name, d.api?.auth]).toEqual([d.name, "graph"]);
    }
  });
});

describe("GET /api/openapi.json", () => {
  const context = () =>
    new InvocationContext({ functionName: "openapi", invocationId: "t-1", logHandler: () => undefined });
  const get = (headers: Record<string, string> = {}) =>
    new HttpRequest({ method: "GET", url: "http://127.0.0.1/api/openapi.json", headers });

  it("is made on the first request, kept for the worker, cacheable and revalidated by ETag", async () => {
    let reads = 0;
    const fn = openApi(() => {
      reads += 1;
      return functionCatalog;
    });
    expect(reads).toBe(0);
    const first = await fn.handler(get(), context());
    const headers = first.headers as Record<string, string>;
    expect([first.status, headers["content-type"], headers["cache-control"]]).toEqual([
      200,
      "application/json; charset=utf-8",
      "public, max-age=3600",
    ]);
    expect(headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect((JSON.parse(first.body as string) as Json).openapi).toBe("3.1.0");
    const again = await fn.handler(get({ "if-none-match": `W/${headers.etag}` }), context());
    expect([again.status, again.body, (again.headers as Record<string, string>).etag]).toEqual([
      304,
      undefined,
      headers.etag,
    ]);
    const other = await fn.handler(get({ "if-none-match": '"something-else"' }), context());
    expect([other.status, other.body]).toEqual([200, first.body]);
    expect(reads).toBe(1);
  });

  it("answers a problem, and tries again next time, when the document cannot be made", async () => {
    let calls = 0;
    const clash = httpFunction({
      name: "clash",
      route: "health",
      methods: ["GET"],
      api: { summary: "x", auth: "none", query: z.object({}), responses: { 200: "x" } },
      handler: () => Promise.resolve({ status: 200 }),
    });
    const fn = openApi(() => {
      calls += 1;
      return calls === 1 ? [...functionCatalog, clash] : functionCatalog;
    });
    const failed = await fn.handler(get(), context());
    expect([failed.status, (failed.headers as Record<string, string>)["content-type"]]).toEqual([
      500,
      "application/problem+json",
    ]);
    expect((await fn.handler(get(), context())).status).toBe(200);
    expect(calls).toBe(2);
  });
});

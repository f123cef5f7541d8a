import type {
  ZodOpenApiOperationObject,
  ZodOpenApiPathsObject,
  ZodOpenApiResponsesObject,
} from "zod-openapi";
import { version } from "../../package.json";
import { errorCodes, type ErrorCode } from "../../shared/domain/errors";
import { SESSION_COOKIE } from "./cookies";
import {
  hostRoute,
  registeredMethods,
  type ApiAuth,
  type FunctionDefinition,
  type HttpApi,
  type HttpFunctionDefinition,
} from "./definition";
import { RETRY_AFTER_SECONDS, statusByCode } from "./problem";

/**
 * The OpenAPI 3.1 document of the HTTP edge, made from the function catalogue: each HTTP function's
 * route, methods (HEAD beside GET, as registered) and its `api` description, whose schemas are the
 * ones its handler validates with. Errors are the problem+json answers of the closed set of codes.
 */

type Operation = ZodOpenApiOperationObject;
type Lower = "get" | "head" | "post" | "put" | "patch" | "delete";

/** An HTTP function without `api`: the document cannot describe it (the OpenAPI test names them). */
export interface Undocumented {
  readonly name: string;
  readonly path: string;
  readonly methods: readonly string[];
}

/** The OpenAPI path of a host route: `/` + the route, `{*rest}` / `{id:int}` / `{id?}` as `{rest}` / `{id}`. */
export function openApiPath(d: Pick<HttpFunctionDefinition, "route" | "outsideApi">): string {
  return `/${hostRoute(d)}`.replace(/\{\*?([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\??\}/g, "{$1}");
}

/** The parameter names of a path template (`/api/rooms/{id}` → `["id"]`). */
export const templateParams = (path: string): string[] =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");

export const httpFunctions = (catalog: readonly FunctionDefinition[]): HttpFunctionDefinition[] =>
  catalog.filter((d): d is HttpFunctionDefinition => d.kind === "http");

/** The HTTP functions the document cannot describe, with what to add. Empty when all are described. */
export function undocumentedFunctions(catalog: readonly FunctionDefinition[]): Undocumented[] {
  return httpFunctions(catalog)
    .filter((d) => d.api === undefined)
    .map((d) => ({ name: d.name, path: openApiPath(d), methods: registeredMethods(d) }));
}

/** Problem statuses, each with the codes that answer it (500 is the unexpected failure). */
function problemStatuses(): Map<number, string[]> {
  const byStatus = new Map<number, string[]>();
  for (const code of errorCodes) {
    const { status } = statusByCode[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  byStatus.set(500, ["internal"]);
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** The error codes a route may answer: those its input and caller imply, and its own. */
function routeErrors(api: HttpApi): Set<ErrorCode | "internal"> {
  const codes = new Set<ErrorCode | "internal">(["dependency-unavailable", "internal"]);
  if (api.params !== undefined || api.query !== undefined || api.body !== undefined)
    codes.add("validation-failed");
  if (api.body !== undefined || api.textBodies !== undefined)
    ["malformed-request", "payload-too-large", "unsupported-media-type"].forEach((c) =>
      codes.add(c as ErrorCode),
    );
  if (api.auth === "user" || api.auth === "admin" || api.auth === "device") codes.add("unauthenticated");
  // Not an admin; or a session cookie on an unsafe method from another origin.
  if (api.auth === "admin" || api.auth === "user") codes.add("forbidden");
  for (const code of api.errors ?? []) codes.add(code);
  return codes;
}

const problemResponseName = (status: number): string => `Problem${status}`;

const securityFor: Record<ApiAuth, Operation["security"]> = {
  none: [],
  user: [{ session: [] }, { entraToken: [] }],
  admin: [{ session: [] }, { entraToken: [] }],
  device: [{ displayCredential: [] }],
  // Graph authenticates each notification by its clientState, inside the body: no HTTP credential.
  graph: [],
};

const authNote: Record<ApiAuth, string> = {
  none: "Anonymous.",
  user: "A signed-in person: the session cookie, or an Entra ID access token for the ONES API.",
  admin: "A ONES admin: the session cookie, or an Entra ID access token for the ONES API.",
  device: "A paired display: its device credential as a bearer token.",
  graph:
    "Microsoft Graph: each notification carries the clientState of its subscription, checked against the hash ONES kept; others are dropped.",
};

function operation(d: HttpFunctionDefinition, api: HttpApi, method: Lower, path: string): Operation {
  const statuses = problemStatuses();
  const codes = routeErrors(api);
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, answer] of Object.entries(api.responses)) {
    const { description, type } =
      typeof answer === "string" ? { description: answer, type: undefined } : answer;
    const mediaType = type ?? "application/json";
    responses[`${Number(status)}` as `2${string}`] =
      mediaType === "" || method === "head" ? { description } : { description, content: { [mediaType]: {} } };
  }
  for (const [status, statusCodes] of statuses) {
    // A route's own answer with that status (health's 503) is kept; it is not a problem.
    if (
      responses[`${status}` as `4${string}`] === undefined &&
      statusCodes.some((c) => codes.has(c as ErrorCode))
    )
      responses[`${status}` as `4${string}`] = {
        $ref: `#/components/responses/${problemResponseName(status)}`,
      };
  }

  const params = api.params;
  const declared = params !== undefined && "shape" in params ? Object.keys(params.shape as object) : [];
  const catchAll = [...hostRoute(d).matchAll(/\{\*([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
  const missing = templateParams(path).filter(
    (name) => params === undefined || (declared.length > 0 && !declared.includes(name)),
  );

  const op: Operation = {
    operationId: method === "head" ? `${d.name}-head` : d.name,
    summary: method === "head" ? `${api.summary} (headers only)` : api.summary,
    description: `${authNote[api.auth]} Problem codes: ${[...codes].join(", ")}.`,
    tags: [d.outsideApi === true ? "pages" : (hostRoute(d).split("/")[1]?.replace(/\..*$/, "") ?? "api")],
    security: securityFor[api.auth],
    ...(api.auth === "graph" ? { "x-ones-credential": "graph-client-state" } : {}),
    requestParams: {
      ...(params === undefined ? {} : { path: params as never }),
      ...(api.query === undefined ? {} : { query: api.query as never }),
    },
    ...(missing.length === 0
      ? {}
      : {
          parameters: missing.map((name) => ({
            in: "path" as const,
            name,
            required: true,
            schema: { type: "string" as const },
            ...(catchAll.includes(name) ? { description: "The rest of the path; may contain slashes." } : {}),
          })),
        }),
    responses,
  };
  const bodies = {
    ...(api.body === undefined ? {} : { "application/json": { schema: api.body } }),
    ...Object.fromEntries((api.textBodies ?? []).map((t) => [t, { schema: { type: "string" as const } }])),
  };
  if (method !== "head" && Object.keys(bodies).length > 0)
    op.requestBody = { required: api.bodyOptional !== true, content: bodies };
  return op;
}

function components() {
  const statuses = problemStatuses();
  const responses = Object.fromEntries(
    [...statuses].map(([status, codes]) => [
      problemResponseName(status),
      {
        description: codes
          .map((c) =>
            c === "internal"
              ? "internal: an unexpected failure"
              : `${c}: ${statusByCode[c as ErrorCode].title}`,
          )
          .join("; "),
        headers: {
          "x-correlation-id": {
            description: "The invocation id, also in the body.",
            schema: { type: "string" },
          },
          ...(status === 503
            ? {
                "retry-after": {
                  description: "Seconds to wait.",
                  schema: { type: "integer", example: RETRY_AFTER_SECONDS },
                },
              }
            : {}),
        },
        content: {
          "application/problem+json": {
            schema: {
              allOf: [
                { $ref: "#/components/schemas/Problem" },
                {
                  type: "object",
                  properties: {
                    type: { enum: codes.map((c) => `urn:ones:problem:${c}`) },
                    status: { const: status },
                  },
                },
              ],
            },
          },
        },
      },
    ]),
  );
  return {
    schemas: {
      Problem: {
        type: "object",
        description: "RFC 9457 problem details; further members (such as a policy's `rule`) may follow.",
        required: ["type", "title", "status", "detail", "correlationId"],
        properties: {
          type: { type: "string", description: "`urn:ones:problem:` and the error code." },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
          instance: { type: "string" },
          correlationId: { type: "string" },
          errors: {
            type: "array",
            description: "Each invalid field, never its value.",
            items: {
              type: "object",
              required: ["path", "message"],
              properties: { path: { type: "string" }, message: { type: "string" } },
            },
          },
        },
      },
    },
    responses,
    securitySchemes: {
      session: {
        type: "apiKey",
        in: "cookie",
        name: SESSION_COOKIE,
        description:
          "The session cookie set by /api/auth/callback. POST, PUT, PATCH and DELETE must come from the app's own origin.",
      },
      entraToken: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description: "An Entra ID access token for the ONES API.",
      },
      displayCredential: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "{displayId}.{secret}",
        description: "The credential a display received from POST /api/displays/pair.",
      },
    },
  };
}

/** The document as a plain object. Loads zod-openapi on first use, so importing this costs nothing. */
export async function openApiDocument(
  catalog: readonly FunctionDefinition[],
): Promise<Record<string, unknown>> {
  const { createDocument } = await import("zod-openapi");
  const paths: ZodOpenApiPathsObject = {};
  for (const d of httpFunctions(catalog)) {
    if (d.api === undefined) continue;
    const path = openApiPath(d);
    const item = (paths[path] ??= {});
    for (const method of registeredMethods(d)) {
      const lower = method.toLowerCase() as Lower;
      if (item[lower] !== undefined) throw new Error(`${method} ${path} is declared by two functions`);
      item[lower] = operation(d, d.api, lower, path);
    }
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "ONES for Microsoft 365",
      version,
      description:
        "The HTTP API of ONES. Errors are application/problem+json (RFC 9457) with a correlation id; HEAD answers as GET without a body.",
    },
    paths,
    components: components() as never,
  }) as unknown as Record<string, unknown>;
}

import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from "@azure/functions";
import type { z } from "zod";
import type { ErrorCode } from "../../shared/domain/errors";

/**
 * Every function of the app is declared once as one of these: its trigger options and its handler.
 * `functions/index.ts` registers the list with `@azure/functions` for Azure, and the local host
 * (dev/host) serves the very same list, so both see identical routes, schedules and queues.
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call a route, as `GET /api/openapi.json` states it: `user` (session cookie or Entra access
 * token), `admin` (the same, and a ONES admin), `device` (a display's credential), `graph` (Graph's
 * webhooks: each notification's `clientState`), `none` (anonymous).
 */
export type ApiAuth = "none" | "user" | "admin" | "device" | "graph";

/** One success answer of a route: what it means, and its media type unless JSON ("" for no body). */
export interface ApiResponse {
  readonly description: string;
  readonly type?: string;
}

/**
 * A route as the OpenAPI document describes it (functions/lib/openapi.ts). `params`, `query` and `body`
 * are the very schemas the handler passes to `parseInput` / `readJson`, so the document cannot drift
 * from what the handler accepts.
 */
export interface HttpApi {
  /** One line: what the route does. */
  readonly summary: string;
  readonly auth: ApiAuth;
  /** Route parameters; a template parameter without a schema is described as a string. */
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  /** The JSON body. */
  readonly body?: z.ZodType;
  /** The body may be left out altogether. */
  readonly bodyOptional?: boolean;
  /** Text media types the route also reads its body as (the room import reads `text/csv`). */
  readonly textBodies?: readonly string[];
  /** Success answers by status: a description (JSON body), or a description with its media type. */
  readonly responses: Readonly<Record<number, string | ApiResponse>>;
  /** Error codes the use case answers with, beyond those the input and `auth` imply. */
  readonly errors?: readonly ErrorCode[];
}

export interface HttpFunctionDefinition {
  readonly kind: "http";
  readonly name: string;
  /**
   * Route in Functions route-template syntax (`rooms/{id}`): under `api/` unless `outsideApi` is set
   * (the web pages). host.json has an empty route prefix; `hostRoute` adds `api/` in one place.
   */
  readonly route: string;
  /** Served at the site's root rather than under `api/` (only the web pages). */
  readonly outsideApi?: boolean;
  readonly methods: readonly HttpMethod[];
  /** Always anonymous: ONES authenticates in the app (session, bearer token, device, clientState). */
  readonly authLevel: "anonymous";
  readonly handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
  /** Its description in the OpenAPI document; every HTTP function has one (checked by a test). */
  readonly api?: HttpApi;
}

export interface TimerFunctionDefinition {
  readonly kind: "timer";
  readonly name: string;
  /** Six-field NCRONTAB, or `%SETTING%` to take it from an app setting, as the Functions host allows. */
  readonly schedule: string;
  readonly runOnStartup?: boolean;
  readonly handler: (timer: Timer, context: InvocationContext) => Promise<void>;
}

export interface ServiceBusFunctionDefinition {
  readonly kind: "serviceBusQueue";
  readonly name: string;
  readonly queueName: string;
  /** Name of the connection setting: `SERVICEBUS` locally, `SERVICEBUS__fullyQualifiedNamespace` in Azure. */
  readonly connection: string;
  readonly handler: (message: unknown, context: InvocationContext) => Promise<void>;
}

export type FunctionDefinition =
  HttpFunctionDefinition | TimerFunctionDefinition | ServiceBusFunctionDefinition;

/** The Service Bus connection setting every queue trigger uses. */
export const SERVICEBUS_CONNECTION = "SERVICEBUS";

/** The route the Functions host is given: `api/` + the declared route, or the route itself outside the API. */
export function hostRoute(d: Pick<HttpFunctionDefinition, "route" | "outsideApi">): string {
  return d.outsideApi === true ? d.route : d.route === "" ? "api" : `api/${d.route}`;
}

export const httpFunction = (
  d: Omit<HttpFunctionDefinition, "kind" | "authLevel">,
): HttpFunctionDefinition => ({
  kind: "http",
  authLevel: "anonymous",
  ...d,
});

export const timerFunction = (d: Omit<TimerFunctionDefinition, "kind">): TimerFunctionDefinition => ({
  kind: "timer",
  ...d,
});

export const serviceBusFunction = (
  d: Omit<ServiceBusFunctionDefinition, "kind" | "connection">,
): ServiceBusFunctionDefinition => ({ kind: "serviceBusQueue", connection: SERVICEBUS_CONNECTION, ...d });

/**
 * The methods a route is registered with: its own, and HEAD beside GET (uptime monitors probe with it;
 * the Functions host would answer HEAD on a GET-only route with 404). HEAD answers like GET, bodiless.
 */
export const registeredMethods = (d: Pick<HttpFunctionDefinition, "methods">): (HttpMethod | "HEAD")[] =>
  d.methods.includes("GET") ? [...d.methods, "HEAD"] : [...d.methods];

import type { CloudName } from "../store/types";
import type { SimulatorServices } from "../services";
import type { GraphAuth } from "../auth/access-token";

export type HeaderMap = Record<string, string>;

/** What a route handler returns. Objects are sent as JSON, strings as text, Buffers as bytes. */
export interface SimResponse {
  status: number;
  headers?: HeaderMap;
  body?: unknown;
  contentType?: string;
}

/** One request as the router sees it, whether it came over HTTPS or from inside a `$batch`. */
export interface RequestContext {
  sim: SimulatorServices;
  method: string;
  /** Decoded path without query, e.g. "/v1.0/users/abc". */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: HeaderMap;
  /** Parsed JSON body, form fields (Entra), or undefined. */
  body: unknown;
  rawBody: string;
  /** Path parameters captured by the route pattern. */
  params: Record<string, string>;
  requestId: string;
  clientRequestId: string;
  /** "https://host:port" as the client addressed the server; nextLinks are built from it. */
  origin: string;
  /** Which Microsoft cloud the host name belongs to (21Vianet host names → "china"). */
  cloud: CloudName;
  /** Set for Graph routes once the bearer token was validated. */
  auth?: GraphAuth;
  /** Id of the `$batch` this request belongs to, if any. */
  batchId?: string;
  /** Callbacks run when the response is complete (e.g. releasing a concurrency slot). */
  cleanup: Array<() => void>;
}

export function json(status: number, body: unknown, headers?: HeaderMap): SimResponse {
  return headers ? { status, body, headers } : { status, body };
}

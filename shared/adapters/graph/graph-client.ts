import {
  AuthenticationHandlerOptions,
  Client,
  GraphError,
  MiddlewareFactory,
  RetryHandlerOptions,
  type AuthenticationProvider,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from "@microsoft/microsoft-graph-client";
import type { GraphPage } from "../../app/ports/m365-gateways";
import { backoffDelay } from "../../domain/backoff";
import type { ErrorCode } from "../../domain/errors";
import { GraphCallError, isDeltaExpired } from "../../domain/integration/graph-call-error";
import { KeyedSemaphore, Semaphore } from "./limiter";

/** What one Graph call outcome looks like to an observer (logs carry these, never payloads). */
export interface GraphCallEvent {
  readonly method: string;
  readonly status: number;
  readonly attempt: number;
  readonly requestId?: string;
  readonly retryInMs?: number;
}

export interface GraphClientOptions {
  /** Graph host of the cloud (or the simulator), without /v1.0. */
  readonly baseUrl: string;
  /** Access token for each request (app-only or a user's). */
  readonly token: () => Promise<string>;
  /**
   * A token acquired anew, bypassing every cache. When given, a request Graph refuses with 401
   * `InvalidAuthenticationToken` (a token revoked or expired early, which a cache would keep handing
   * out) is sent once more with a fresh token; without it, that 401 fails the request at once.
   */
  readonly freshToken?: () => Promise<string>;
  /** Requests in flight through this client at once. */
  readonly maxConcurrent?: number;
  /** Requests in flight per mailbox at once (Outlook allows 4); ignored when `mailboxes` is given. */
  readonly perMailbox?: number;
  /**
   * The per-mailbox limiter, shared by every client of the worker (app-only and each user's), so the
   * limit holds per mailbox whoever's token a request carries. A client of its own when omitted.
   */
  readonly mailboxes?: KeyedSemaphore;
  /** Attempts per request when Graph throttles (429) or is briefly unavailable (503, 504, network). */
  readonly maxAttempts?: number;
  /** Longest Retry-After honoured before giving up on a request, in seconds. */
  readonly maxRetryAfterSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onCall?: (event: GraphCallEvent) => void;
}

export interface GraphRequestOptions {
  readonly headers?: Record<string, string>;
  /** The mailbox the request acts on (per-mailbox concurrency); omit for directory and places. */
  readonly mailbox?: string;
}

interface CollectionBody<T> {
  value?: T[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

const GRAPH_HOSTS = new Set(["graph.microsoft.com", "microsoftgraph.chinacloudapi.cn"]);

/** Where one request's final HTTP status is recorded (a per-request middleware option). */
class CallStatus implements MiddlewareOptions {
  status: number | undefined;
}

/** Records the status of the response each request got into the request's `CallStatus`. */
class StatusRecorder implements Middleware {
  private next: Middleware | undefined;

  async execute(context: Context): Promise<void> {
    if (this.next === undefined) throw new Error("the status recorder must not end the middleware chain");
    await this.next.execute(context);
    const holder = context.middlewareControl?.getMiddlewareOptions(CallStatus) as CallStatus | undefined;
    if (holder !== undefined && context.response !== undefined) holder.status = context.response.status;
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Backoff when Graph asks for a retry without saying how long to wait. */
const GRAPH_BACKOFF = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * A thin client over `@microsoft/microsoft-graph-client`: base URL per cloud, bounded concurrency
 * (globally and per mailbox), Retry-After honoured for as long as Graph asks (the SDK's own retry is
 * off, so one policy applies and storms of 429 do not fail a run), one retry with a freshly acquired
 * token when Graph refuses a cached one (401 `InvalidAuthenticationToken`), page streams, and SDK errors
 * translated into `GraphCallError` with Graph's request id. Feature gateways (directory, places,
 * calendars, subscriptions) are built on it.
 */
export class GraphClient {
  private readonly client: Client;
  private readonly global: Semaphore;
  private readonly mailboxes: KeyedSemaphore;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /**
   * The latest fresh token and its generation (one more per acquisition): a request refused on a token
   * it took before that acquisition began uses this one instead of acquiring yet another.
   */
  private renewal: { readonly generation: number; readonly token: Promise<string> } | undefined;

  constructor(private readonly options: GraphClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, "");
    const host = new URL(base).hostname;
    const authProvider: AuthenticationProvider = { getAccessToken: () => options.token() };
    // The default chain with a status recorder just before the network call, after redirects.
    const middleware = MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
    middleware.splice(middleware.length - 1, 0, new StatusRecorder());
    this.client = Client.initWithMiddleware({
      baseUrl: `${base}/`,
      defaultVersion: "v1.0",
      middleware,
      // Hosts other than Graph's own (the simulator) must be named, or no token is sent to them.
      ...(GRAPH_HOSTS.has(host) ? {} : { customHosts: new Set([host]) }),
    });
    this.global = new Semaphore(options.maxConcurrent ?? 8);
    this.mailboxes = options.mailboxes ?? new KeyedSemaphore(options.perMailbox ?? 4);
    this.maxAttempts = options.maxAttempts ?? 10;
    this.maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 120) * 1000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async get<T>(pathOrLink: string, options: GraphRequestOptions = {}): Promise<T> {
    return this.call<T>("GET", pathOrLink, undefined, options);
  }

  async post<T>(path: string, body: unknown, options: GraphRequestOptions = {}): Promise<T> {
    return this.call<T>("POST", path, body, options);
  }

  async patch<T>(path: string, body: unknown, options: GraphRequestOptions = {}): Promise<T> {
    return this.call<T>("PATCH", path, body, options);
  }

  async delete(path: string, options: GraphRequestOptions = {}): Promise<void> {
    await this.call<unknown>("DELETE", path, undefined, options);
  }

  /**
   * The pages of a collection from `first` (a path or an absolute next/delta link), fetched one at a
   * time as the consumer asks for them; headers (e.g. `Prefer: odata.maxpagesize`) go with every page.
   */
  async *pages<T>(first: string, options: GraphRequestOptions = {}): AsyncGenerator<GraphPage<T>> {
    let link: string | undefined = first;
    while (link !== undefined) {
      const body: CollectionBody<T> = await this.get<CollectionBody<T>>(link, options);
      const nextLink = body["@odata.nextLink"];
      const deltaLink = body["@odata.deltaLink"];
      yield {
        items: body.value ?? [],
        ...(nextLink === undefined ? {} : { nextLink }),
        ...(deltaLink === undefined ? {} : { deltaLink }),
      };
      link = nextLink;
    }
  }

  private async call<T>(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    pathOrLink: string,
    body: unknown,
    options: GraphRequestOptions,
  ): Promise<T> {
    // After Graph refused the token: the fresh one this request's later attempts carry.
    let renewed: AuthenticationHandlerOptions | undefined;
    for (let attempt = 1; ; attempt++) {
      const seen = this.renewal?.generation ?? 0;
      const releaseMailbox =
        options.mailbox === undefined
          ? undefined
          : await this.mailboxes.acquire(options.mailbox.toLowerCase());
      const release = await this.global.acquire();
      let wait: number;
      let refresh: boolean;
      try {
        const status = new CallStatus();
        const request = this.client
          .api(pathOrLink)
          .middlewareOptions([
            new RetryHandlerOptions(0, 0),
            status,
            ...(renewed === undefined ? [] : [renewed]),
          ])
          .headers(options.headers ?? {});
        const result = (
          method === "GET"
            ? await request.get()
            : method === "POST"
              ? await request.post(body)
              : method === "PATCH"
                ? await request.patch(body)
                : await request.delete()
        ) as T;
        this.options.onCall?.({ method, status: status.status ?? 0, attempt });
        return result;
      } catch (error) {
        const failure = translate(error);
        refresh = renewed === undefined && this.options.freshToken !== undefined && tokenRefused(failure);
        const delay = refresh ? 0 : failure.retryable ? this.retryDelay(error, attempt) : undefined;
        this.options.onCall?.({
          method,
          status: failure.status,
          attempt,
          ...(failure.graphRequestId === undefined ? {} : { requestId: failure.graphRequestId }),
          ...(delay === undefined ? {} : { retryInMs: delay }),
        });
        if (delay === undefined || attempt >= this.maxAttempts) throw failure;
        wait = delay;
      } finally {
        release();
        releaseMailbox?.();
      }
      if (refresh && this.options.freshToken !== undefined) {
        const token = await this.renewedSince(seen, this.options.freshToken);
        renewed = new AuthenticationHandlerOptions({ getAccessToken: () => Promise.resolve(token) });
        continue;
      }
      // Slots are free while waiting, so other mailboxes' work goes on.
      await this.sleep(wait);
    }
  }

  /** A token acquired after generation `seen`: the one already acquired since, or a new one. */
  private renewedSince(seen: number, fresh: () => Promise<string>): Promise<string> {
    if (this.renewal !== undefined && this.renewal.generation > seen) return this.renewal.token;
    const renewal = { generation: seen + 1, token: fresh() };
    this.renewal = renewal;
    renewal.token.catch(() => {
      if (this.renewal === renewal) this.renewal = undefined;
    });
    return renewal.token;
  }

  /** Retry-After in seconds or as an HTTP date; else exponential backoff with jitter. */
  private retryDelay(error: unknown, attempt: number): number | undefined {
    const header = error instanceof GraphError ? error.headers?.get("retry-after") : null;
    let ms: number | undefined;
    if (header !== null && header !== undefined && header.trim() !== "") {
      const seconds = Number(header);
      ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    }
    if (ms === undefined || !Number.isFinite(ms)) ms = backoffDelay(GRAPH_BACKOFF, attempt, Math.random);
    ms = Math.max(0, ms);
    return ms > this.maxRetryAfterMs ? undefined : ms;
  }
}

/** Graph refused the access token itself (expired, revoked, bad signature), not the caller's rights. */
function tokenRefused(failure: GraphCallError): boolean {
  return failure.status === 401 && failure.graphCode === "InvalidAuthenticationToken";
}

const byStatus: Record<number, ErrorCode> = {
  400: "validation-failed",
  401: "unauthenticated",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  410: "precondition-failed",
  412: "precondition-failed",
};

/** SDK and network errors → `GraphCallError` (our codes, Graph's request id, no Graph message text). */
export function translate(error: unknown): GraphCallError {
  if (error instanceof GraphCallError) return error;
  if (error instanceof GraphError && error.statusCode > 0) {
    const status = error.statusCode;
    const graphCode = error.code ?? undefined;
    const requestId = error.requestId ?? error.headers?.get("request-id") ?? undefined;
    const retryable = status === 429 || status === 503 || status === 504 || status === 502 || status === 500;
    const deltaExpired = isDeltaExpired(status, graphCode);
    const code: ErrorCode = deltaExpired
      ? "precondition-failed"
      : retryable
        ? "dependency-unavailable"
        : (byStatus[status] ?? "dependency-unavailable");
    const detail = deltaExpired
      ? "Microsoft Graph no longer knows the sync state; a full resync is needed."
      : `Microsoft Graph answered ${status}${graphCode === undefined ? "" : ` (${graphCode})`}.`;
    return new GraphCallError(code, detail, status, graphCode, requestId, { retryable, cause: error });
  }
  return new GraphCallError(
    "dependency-unavailable",
    "Microsoft Graph could not be reached.",
    0,
    undefined,
    undefined,
    {
      retryable: true,
      cause: error,
    },
  );
}

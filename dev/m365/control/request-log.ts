/** What the simulator was asked, for test assertions (`control.log`). */
export interface RequestLogEntry {
  seq: number;
  /** Epoch ms (simulator clock) when the request arrived. */
  at: number;
  method: string;
  /** Path without query, e.g. "/v1.0/users". */
  path: string;
  /** Raw query string without "?". */
  query: string;
  status: number;
  kind: "graph" | "entra" | "control" | "unknown";
  /** Client id of the token (Graph) or of the token request (Entra). */
  appId?: string;
  /** Signed-in user (delegated Graph calls). */
  userId?: string;
  requestId: string;
  clientRequestId: string;
  /** For requests inside a `$batch`: the id of the batch request's log entry. */
  batchId?: string;
  /** Selected request headers (Prefer, ConsistencyLevel, If-Match, Retry-Attempt). */
  headers: Record<string, string>;
  durationMs: number;
  /** Graph error code when status >= 400. */
  errorCode?: string;
}

export type LogFilter = Partial<Pick<RequestLogEntry, "method" | "kind" | "appId" | "status">> & {
  /** Substring or RegExp on the path. */
  path?: string | RegExp;
  sinceSeq?: number;
};

const KEPT_HEADERS = ["prefer", "consistencylevel", "if-match", "retry-attempt", "client-request-id"];

export class RequestLog {
  private items: RequestLogEntry[] = [];
  private seq = 0;
  /** Oldest entries are dropped beyond this size. */
  capacity = 100_000;

  nextSeq(): number {
    return ++this.seq;
  }

  keptHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const h of KEPT_HEADERS) if (headers[h] !== undefined) out[h] = headers[h];
    return out;
  }

  add(entry: RequestLogEntry): void {
    this.items.push(entry);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  entries(filter: LogFilter = {}): RequestLogEntry[] {
    return this.items.filter(
      (e) =>
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.appId === undefined || e.appId === filter.appId) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.sinceSeq === undefined || e.seq > filter.sinceSeq) &&
        (filter.path === undefined ||
          (typeof filter.path === "string"
            ? e.path.toLowerCase().includes(filter.path.toLowerCase())
            : filter.path.test(e.path))),
    );
  }

  /** Sequence number of the last entry: pass it as `sinceSeq` to see only later requests. */
  get lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.items = [];
  }
}

import { AppError, type ErrorCode } from "../errors";

/**
 * A failed Microsoft Graph call, translated into our error codes. Keeps Graph's `request-id` (for the
 * admin's status page and Microsoft support) and Graph's own error code, never its message text.
 */
export class GraphCallError extends AppError {
  constructor(
    code: ErrorCode,
    detail: string,
    readonly status: number,
    readonly graphCode: string | undefined,
    readonly graphRequestId: string | undefined,
    extra: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, detail, extra);
    this.name = "GraphCallError";
  }

  /** A delta or skip token Graph no longer knows: resync in full. */
  get deltaExpired(): boolean {
    return isDeltaExpired(this.status, this.graphCode);
  }
}

/**
 * The one rule for "Graph no longer knows this delta or skip token" (410 Gone, or the error code
 * `syncStateNotFound`), for every sync path: the answer is a full resync.
 */
export function isDeltaExpired(status: number, graphCode: string | undefined): boolean {
  return status === 410 || graphCode?.toLowerCase() === "syncstatenotfound";
}

export function isGraphCallError(error: unknown): error is GraphCallError {
  return error instanceof GraphCallError;
}

/** The Graph request id of an error, when it has one. */
export function graphRequestIdOf(error: unknown): string | undefined {
  return isGraphCallError(error) ? error.graphRequestId : undefined;
}

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

  /** A delta or skip token Graph no longer knows (410 Gone, or 400 `syncStateNotFound`): resync in full. */
  get deltaExpired(): boolean {
    return this.status === 410 || this.graphCode?.toLowerCase() === "syncstatenotfound";
  }
}

export function isGraphCallError(error: unknown): error is GraphCallError {
  return error instanceof GraphCallError;
}

/** The Graph request id of an error, when it has one. */
export function graphRequestIdOf(error: unknown): string | undefined {
  return isGraphCallError(error) ? error.graphRequestId : undefined;
}

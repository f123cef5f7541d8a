/**
 * The closed set of error codes every layer speaks. Adapters translate SDK and HTTP errors into these;
 * the edge maps them to HTTP problem responses in one place (functions/lib/problem.ts).
 */
export const errorCodes = [
  "not-found",
  "conflict",
  "validation-failed",
  "forbidden",
  "unauthenticated",
  "precondition-failed",
  "not-available-in-mode",
  /** A booking policy refuses the request; the problem names the `rule` and its `limit`. */
  "policy-refused",
  "dependency-unavailable",
  /** Too many attempts (wrong pairing codes): try again later. */
  "rate-limited",
  // Raised by the HTTP edge itself, before a use case runs.
  "malformed-request",
  "payload-too-large",
  "unsupported-media-type",
  "method-not-allowed",
  "request-timeout",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** One invalid input field: where it is and what is wrong. Never the offending value. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Safe to show to the caller: no secrets, tokens, SDK messages or meeting subjects. */
    readonly detail: string,
    readonly extra: {
      readonly fields?: readonly FieldError[];
      /** Further members of the problem body (RFC 9457 extension members); as safe to show as `detail`. */
      readonly extensions?: Readonly<Record<string, unknown>>;
      readonly retryable?: boolean;
      readonly cause?: unknown;
    } = {},
  ) {
    super(detail, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "AppError";
  }

  /** Whether retrying the same work later may succeed (queue handlers rethrow these for redelivery). */
  get retryable(): boolean {
    return this.extra.retryable ?? this.code === "dependency-unavailable";
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

import type { HttpResponseInit } from "@azure/functions";
import { AppError, type ErrorCode, type FieldError } from "../../shared/domain/errors";

/** The one mapping from error code to HTTP status and problem title. */
export const statusByCode: Record<ErrorCode, { status: number; title: string }> = {
  "not-found": { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflict" },
  "validation-failed": { status: 400, title: "The request is not valid" },
  forbidden: { status: 403, title: "Forbidden" },
  unauthenticated: { status: 401, title: "Sign-in required" },
  "precondition-failed": { status: 412, title: "The resource has changed" },
  "not-available-in-mode": { status: 403, title: "Not available in this integration mode" },
  "policy-refused": { status: 422, title: "The room's policy refuses this booking" },
  "dependency-unavailable": { status: 503, title: "A service ONES depends on is unavailable" },
  "rate-limited": { status: 429, title: "Too many attempts" },
  "malformed-request": { status: 400, title: "Malformed request" },
  "payload-too-large": { status: 413, title: "Request body too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "request-timeout": { status: 408, title: "Request timeout" },
};

/** Seconds a client should wait before retrying after a dependency outage (503). */
export const RETRY_AFTER_SECONDS = 5;

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly correlationId: string;
  readonly errors?: readonly FieldError[];
}

/**
 * `application/problem+json` (RFC 9457) for an error, with the invocation id as correlation id. A 503
 * (a dependency is unavailable: retryable) carries `Retry-After`.
 */
export function problemResponse(
  error: unknown,
  correlationId: string,
  instance?: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  const known =
    error instanceof AppError
      ? error
      : new AppError(
          "dependency-unavailable",
          "Something went wrong on our side. Try again, and quote the correlation id if it persists.",
        );
  const unexpected = !(error instanceof AppError);
  const { status, title } = unexpected ? { status: 500, title: "Internal error" } : statusByCode[known.code];
  const body: ProblemDetails & Record<string, unknown> = {
    ...(unexpected ? {} : known.extra.extensions),
    type: `urn:ones:problem:${unexpected ? "internal" : known.code}`,
    title,
    status,
    detail: known.detail,
    ...(instance === undefined ? {} : { instance }),
    correlationId,
    ...(known.extra.fields === undefined ? {} : { errors: known.extra.fields }),
  };
  return {
    status,
    headers: {
      "content-type": "application/problem+json",
      "x-correlation-id": correlationId,
      ...(status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

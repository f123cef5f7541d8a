/**
 * Errors in the shapes Microsoft returns them: Graph's `{error:{code,message,innerError}}` and the Entra
 * token endpoint's OAuth `{error,error_description,error_codes,...}`.
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Graph formats innerError.date without fraction or zone, e.g. "2024-05-01T10:20:30". */
export function graphDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function graphErrorBody(
  err: GraphError,
  requestId: string,
  clientRequestId: string,
  nowMs: number,
): object {
  return {
    error: {
      code: err.code,
      message: err.message,
      innerError: { date: graphDate(nowMs), "request-id": requestId, "client-request-id": clientRequestId },
    },
  };
}

/** Common Graph errors, worded as Graph words them. */
export const graphErrors = {
  notFoundSegment: (segment: string) =>
    new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`),
  unsupportedMethod: (method: string) =>
    new GraphError(
      405,
      "Request_BadRequest",
      `Specified HTTP method is not allowed for the request target.`,
      { Allow: method },
    ),
  resourceNotFound: (id: string) =>
    new GraphError(
      404,
      "Request_ResourceNotFound",
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  /** Directory (Entra-backed) endpoints without the needed permission. */
  directoryDenied: () =>
    new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
  /** Exchange-backed endpoints (calendars, places) without the needed permission. */
  exchangeDenied: () =>
    new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."),
  /** Application access policy / RBAC scope excludes the mailbox. */
  accessPolicyDenied: () => new GraphError(403, "ErrorAccessDenied", "Access to OData is disabled."),
  emptyToken: () => new GraphError(401, "InvalidAuthenticationToken", "Access token is empty."),
  malformedToken: () =>
    new GraphError(
      401,
      "InvalidAuthenticationToken",
      "CompactToken parsing failed with error code: 80049217",
    ),
  expiredToken: () =>
    new GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."),
  invalidSignature: () =>
    new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure."),
  invalidAudience: () =>
    new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."),
  badRequest: (message: string) => new GraphError(400, "BadRequest", message),
  mailboxConcurrency: (retryAfterSeconds: number) =>
    new GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", {
      "Retry-After": String(retryAfterSeconds),
    }),
};

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    readonly description: string,
    /** Entra adds `suberror` to some grant errors; "bad_token" makes MSAL drop the refresh token and ask for interaction. */
    readonly suberror?: string,
  ) {
    super(`${error}: AADSTS${aadsts}`);
  }
}

export function oauthErrorBody(
  err: OAuthError,
  traceId: string,
  correlationId: string,
  nowMs: number,
): object {
  const timestamp = new Date(nowMs).toISOString().replace("T", " ").slice(0, 19) + "Z";
  return {
    error: err.error,
    ...(err.suberror ? { suberror: err.suberror } : {}),
    error_description: `AADSTS${err.aadsts}: ${err.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [err.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${err.aadsts}`,
  };
}

/**
 * The pages' one way to the API: same origin, the session cookie, JSON in and out. A failure arrives as
 * an `ApiProblem` carrying the problem+json body, with the field errors by path for the forms.
 */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export interface ProblemBody {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly correlationId?: string;
  readonly errors?: readonly FieldProblem[];
  readonly [extension: string]: unknown;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: ProblemBody,
  ) {
    super(body.detail ?? body.title ?? `HTTP ${status}`);
    this.name = "ApiProblem";
  }

  /** The message for one form field (its path, e.g. `clientId` or `representatives.0.mailbox`). */
  field(path: string): string | undefined {
    return this.body.errors?.find((e) => e.path === path)?.message;
  }
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

export async function request<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: {
      accept: "application/json, application/problem+json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const problem: ProblemBody =
      typeof parsed === "object" && parsed !== null ? (parsed as ProblemBody) : { status: response.status };
    throw new ApiProblem(response.status, problem);
  }
  return { status: response.status, body: parsed as T };
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path).then((r) => r.body),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body).then((r) => r.body),
  patch: <T>(path: string, body: unknown, etag?: string) =>
    request<T>("PATCH", path, body, etag === undefined ? {} : { "if-match": etag }).then((r) => r.body),
  delete: <T>(path: string) => request<T>("DELETE", path).then((r) => r.body),
};

/** The query string of defined values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

import type { HttpRequest, InvocationContext } from "@azure/functions";
import { appBaseUrl, authenticate as authenticateCredentials } from "../../shared/composition/auth";
import type { Principal } from "../../shared/domain/auth/principal";
import { AppError } from "../../shared/domain/errors";
import { readCookie, SESSION_COOKIE } from "./cookies";

export type { Principal } from "../../shared/domain/auth/principal";

/** The bearer token of an `Authorization` header, if it has one. */
function bearerOf(request: HttpRequest): string | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined)
    throw new AppError("unauthenticated", "Send the token as 'Authorization: Bearer <token>'.");
  return match[1];
}

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The origin of a URL or `Origin` header value, normalised; undefined for `null` or garbage. */
function originOf(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * CSRF defence in depth for cookie-authenticated requests (the cookie is also SameSite=Lax): an unsafe
 * method (POST, PUT, PATCH, DELETE) must come from the app's own origin (APP_BASE_URL), by its `Origin`
 * header or, where a browser sent none, `Sec-Fetch-Site: same-origin` or `none` (typed by the user).
 * Throws AppError `forbidden` otherwise. Bearer-authenticated requests carry no ambient credential and
 * are not checked.
 */
export function requireSameOrigin(request: HttpRequest, appBaseUrl: string): void {
  if (!unsafeMethods.has(request.method.toUpperCase())) return;
  const expected = originOf(appBaseUrl);
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site")?.trim().toLowerCase();
  const sameOrigin =
    origin !== null ? originOf(origin.trim()) === expected : site === "same-origin" || site === "none";
  if (!sameOrigin || expected === undefined) {
    throw new AppError("forbidden", "Cross-site requests are refused: send them from the ONES app itself.");
  }
}

/**
 * The signed-in person: from an Entra access token for the ONES API (`Authorization: Bearer`) or the
 * session cookie (unsafe methods only from the app's own origin: `requireSameOrigin`). Throws AppError
 * `unauthenticated` otherwise. Logs the user id only.
 */
export async function authenticate(request: HttpRequest, context: InvocationContext): Promise<Principal> {
  const bearer = bearerOf(request);
  const sessionCookie = readCookie(request, SESSION_COOKIE);
  if (bearer === undefined && sessionCookie !== undefined) {
    try {
      requireSameOrigin(request, appBaseUrl());
    } catch (error) {
      context.warn(`cross-site ${request.method} with a session cookie refused`);
      throw error;
    }
  }
  const principal = await authenticateCredentials({
    ...(bearer === undefined ? {} : { bearer }),
    ...(sessionCookie === undefined ? {} : { sessionCookie }),
  });
  context.debug(`authenticated user ${principal.userId}`);
  return principal;
}

/** Like `authenticate`, and throws AppError `forbidden` unless the person is a ONES admin. */
export async function requireAdmin(request: HttpRequest, context: InvocationContext): Promise<Principal> {
  const principal = await authenticate(request, context);
  if (!principal.isAdmin) {
    context.warn(`admin access refused for user ${principal.userId}`);
    throw new AppError("forbidden", "Only ONES admins may do this.");
  }
  return principal;
}

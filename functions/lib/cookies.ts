import type { HttpRequest } from "@azure/functions";

/** The session cookie (signed session id) and the short-lived cookie binding a sign-in to its browser. */
export const SESSION_COOKIE = "ones_session";
export const SIGN_IN_COOKIE = "ones_signin";

/** One cookie's value from the request, if present. */
export function readCookie(request: HttpRequest, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const value = part.slice(i + 1).trim();
      return value === "" ? undefined : value;
    }
  }
  return undefined;
}

/** A `Set-Cookie` value: always HttpOnly, Secure and SameSite=Lax. `maxAgeSeconds` 0 deletes it. */
export function setCookie(
  name: string,
  value: string,
  options: { path: string; maxAgeSeconds: number },
): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    "HttpOnly",
    "Secure",
    "SameSite=Lax",
  ].join("; ");
}

export function clearCookie(name: string, path: string): string {
  return setCookie(name, "", { path, maxAgeSeconds: 0 });
}

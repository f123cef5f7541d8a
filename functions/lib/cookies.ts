import type { Cookie, HttpRequest } from "@azure/functions";

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

/** A response cookie: always HttpOnly, Secure and SameSite=Lax. `maxAgeSeconds` 0 deletes it. */
export function cookie(name: string, value: string, path: string, maxAgeSeconds: number): Cookie {
  return {
    name,
    value,
    path,
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
  };
}

export function expiredCookie(name: string, path: string): Cookie {
  return { ...cookie(name, "", path, 0), expires: new Date(0) };
}

import { AppError } from "../errors";

/**
 * Where to send the browser after sign-in: only somewhere on the app's own origin. Accepts a path
 * (`/app/rooms?x=1`) or an absolute URL of the same origin; anything else (other hosts, `//host`,
 * backslashes, other schemes) is refused, so the sign-in can never be an open redirect.
 */
export function safeReturnTo(returnTo: string | undefined, appBaseUrl: string): string {
  const base = new URL(appBaseUrl);
  if (returnTo === undefined || returnTo === "") return `${base.origin}/`;
  // eslint-disable-next-line no-control-regex
  if (returnTo.length > 2048 || /[\\\u0000-\u001f]/.test(returnTo) || returnTo.startsWith("//"))
    throw refused();
  let target: URL;
  try {
    target = new URL(returnTo, base);
  } catch {
    throw refused();
  }
  if (target.origin !== base.origin || (target.protocol !== "https:" && target.protocol !== "http:"))
    throw refused();
  return `${base.origin}${target.pathname}${target.search}${target.hash}`;
}

function refused(): AppError {
  return new AppError("validation-failed", "returnTo must be a page of this app.", {
    fields: [{ path: "returnTo", message: "must be on the app's own origin" }],
  });
}

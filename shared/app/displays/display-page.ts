import { AppError } from "../../domain/errors";
import type { DisplayPageFiles } from "../ports/display-page-files";

const types: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "display.js": "text/javascript; charset=utf-8",
  "display.css": "text/css; charset=utf-8",
};

export interface PageFile {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * One file of the display page with its headers: a strict Content-Security-Policy (own scripts and
 * styles only, no inline code, connections to the app and to the Web PubSub endpoint only, no framing).
 * The names are not content-hashed, so browsers revalidate them.
 */
export async function displayPageFile(
  deps: { readonly files: DisplayPageFiles; readonly liveOrigin: string | undefined },
  name: string,
): Promise<PageFile> {
  const contentType = types[name];
  const body = contentType === undefined ? undefined : await deps.files.read(name);
  if (contentType === undefined || body === undefined)
    throw new AppError("not-found", "There is no such file.");
  const connect = ["'self'", ...(deps.liveOrigin === undefined ? [] : [deps.liveOrigin])].join(" ");
  return {
    body,
    contentType,
    headers: {
      "content-security-policy": [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        `connect-src ${connect}`,
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; "),
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-cache",
    },
  };
}

/** The WebSocket origin of a Web PubSub endpoint (`https://x` → `wss://x`), for connect-src. */
export function liveOriginOf(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    return `${url.protocol === "http:" ? "ws:" : "wss:"}//${url.host}`;
  } catch {
    return undefined;
  }
}

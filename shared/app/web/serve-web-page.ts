import { AppError } from "../../domain/errors";
import type { WebFiles } from "../ports/web-files";

/** The two single-page apps: the staff pages and the management console. */
export type WebSection = "app" | "admin";

export interface WebResponse {
  readonly status: 200;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** Where the built pages put the per-response nonce Fluent UI's style renderer reads. */
export const NONCE_PLACEHOLDER = "__ONES_CSP_NONCE__";

/**
 * The Content-Security-Policy of every page. Scripts only from the app's own origin (no inline script,
 * no eval). Styles: Fluent UI (Griffel) inserts its rules at run time into `<style>` elements it creates,
 * so `style-src` allows the app's own files and `<style>` elements carrying this response's nonce;
 * `style-src-attr 'unsafe-inline'` allows the `style` attributes positioned popovers set, which cannot run
 * code. Everything else is closed.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src-elem 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

const securityHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

const notBuilt = (): AppError =>
  new AppError("dependency-unavailable", "The web pages are not built. Run `npm run build`.");

/**
 * A page of `/app` or `/admin`: every path under it answers with that app's `index.html` (the app routes
 * in the browser), never cached, with a fresh style nonce in the page and in the policy.
 */
export async function servePage(
  deps: { files: WebFiles; nonce: () => string },
  section: WebSection,
): Promise<WebResponse> {
  const html = await deps.files.read(`${section}/index.html`);
  if (html === undefined) throw notBuilt();
  const nonce = deps.nonce();
  const text = new TextDecoder().decode(html).replaceAll(NONCE_PLACEHOLDER, nonce);
  return {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": contentSecurityPolicy(nonce),
      ...securityHeaders,
    },
    body: new TextEncoder().encode(text),
  };
}

const contentTypes: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  woff2: "font/woff2",
  json: "application/json",
};

/** Hashed file names as Vite writes them: a name, a dash, the content hash, an extension. */
const assetName = /^[A-Za-z0-9_.-]+-[A-Za-z0-9_-]{8,}\.([a-z0-9]+)$/;

/**
 * A built asset (`/assets/{file}`): content-hashed, so cached for a year and never revalidated. The
 * Brotli or gzip copy the build wrote is sent when the browser accepts it.
 */
export async function serveAsset(
  deps: { files: WebFiles },
  file: string,
  acceptEncoding: string,
): Promise<WebResponse> {
  const match = assetName.exec(file);
  const type = match === null ? undefined : contentTypes[match[1] ?? ""];
  if (match === null || type === undefined || file.includes(".."))
    throw new AppError("not-found", "There is no such file.");
  const accepted = acceptEncoding
    .toLowerCase()
    .split(",")
    .map((e) => e.split(";")[0]?.trim());
  for (const [encoding, suffix] of [
    ["br", ".br"],
    ["gzip", ".gz"],
  ] as const) {
    if (!accepted.includes(encoding)) continue;
    const compressed = await deps.files.read(`assets/${file}${suffix}`);
    if (compressed !== undefined) return asset(type, compressed, { "content-encoding": encoding });
  }
  const plain = await deps.files.read(`assets/${file}`);
  if (plain === undefined) throw new AppError("not-found", "There is no such file.");
  return asset(type, plain, {});
}

function asset(type: string, body: Uint8Array, extra: Record<string, string>): WebResponse {
  return {
    status: 200,
    headers: {
      "content-type": type,
      "cache-control": "public, max-age=31536000, immutable",
      vary: "accept-encoding",
      ...securityHeaders,
      ...extra,
    },
    body,
  };
}

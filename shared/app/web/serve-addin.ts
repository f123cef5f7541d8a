import { createHash } from "node:crypto";
import { addinManifest, ADDIN_ICON_SIZES, type AddinIconSize } from "../../domain/addin/manifest";
import { cloudEndpoints, type CloudEndpoints } from "../../domain/integration/cloud";
import { AppError } from "../../domain/errors";
import type { IntegrationStore } from "../ports/integration-store";
import type { WebFiles } from "../ports/web-files";
import { addinIconPng } from "./addin-icon";
import { NONCE_PLACEHOLDER, type WebResponse } from "./serve-web-page";

/** Raised whenever the manifest's content changes, so Outlook picks up the new one. */
export const ADDIN_MANIFEST_VERSION = "1.0.0.0";

/** Where the pane's page carries the app registration it signs in with. */
export const CLIENT_ID_PLACEHOLDER = "__ONES_CLIENT_ID__";
export const AUTHORITY_PLACEHOLDER = "__ONES_AUTHORITY__";

/** Office.js comes only from Microsoft's CDN: add-ins must load it from there. */
export const OFFICE_JS_ORIGIN = "https://appsforoffice.microsoft.com";

/**
 * The pages that frame the task pane: Outlook on the web and new Outlook (Microsoft 365 and the
 * 21Vianet cloud); classic Outlook and Mac host the pane in their own web view, which no policy here
 * restricts. The stand-in host on the local stack frames it from the app's own origin.
 */
const OUTLOOK_FRAME_ANCESTORS = [
  "'self'",
  "https://outlook.office.com",
  "https://outlook.office365.com",
  "https://outlook.cloud.microsoft",
  "https://*.officeapps.live.com",
  "https://*.outlook.cn",
  "https://*.partner.outlook.cn",
];

/**
 * The pane's policy: the pages' own (scripts from the app, nonce'd styles) plus Office.js from its CDN,
 * the Entra sign-in endpoint for MSAL, and framing by Outlook.
 */
export function addinContentSecurityPolicy(nonce: string, loginOrigin: string | undefined): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${OFFICE_JS_ORIGIN}`,
    `style-src-elem 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...(loginOrigin === undefined ? [] : [loginOrigin])].join(" "),
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${OUTLOOK_FRAME_ANCESTORS.join(" ")}`,
    "object-src 'none'",
  ].join("; ");
}

const baseHeaders = { "x-content-type-options": "nosniff", "referrer-policy": "same-origin" };

const escapeAttribute = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * The task pane's page (`/addin/pane`, and `/addin/sign-in` in the Office dialog): the built page with
 * a fresh style nonce and the app registration's client id and authority (empty until the integration
 * is set up), never cached.
 */
export async function serveAddinPage(deps: {
  files: WebFiles;
  nonce: () => string;
  integration: IntegrationStore;
  cloudOverrides: Partial<CloudEndpoints>;
}): Promise<WebResponse> {
  const html = await deps.files.read("addin/index.html");
  if (html === undefined)
    throw new AppError("dependency-unavailable", "The web pages are not built. Run `npm run build`.");
  const settings = await deps.integration.get();
  const authority =
    settings === undefined
      ? undefined
      : `${cloudEndpoints(settings.cloud, deps.cloudOverrides).loginBaseUrl}/${settings.tenantId}`;
  const nonce = deps.nonce();
  const text = new TextDecoder()
    .decode(html)
    .replaceAll(NONCE_PLACEHOLDER, nonce)
    .replaceAll(CLIENT_ID_PLACEHOLDER, escapeAttribute(settings?.clientId ?? ""))
    .replaceAll(AUTHORITY_PLACEHOLDER, escapeAttribute(authority ?? ""));
  return {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": addinContentSecurityPolicy(
        nonce,
        authority === undefined ? undefined : new URL(authority).origin,
      ),
      ...baseHeaders,
    },
    body: new TextEncoder().encode(text),
  };
}

/**
 * A GUID that stays the same for a deployment (derived from its origin, in the form of a name-based
 * UUID), so uploading the manifest again updates the add-in instead of adding a second one.
 */
export function addinIdFor(baseUrl: string): string {
  const hash = createHash("sha1")
    .update(`ones-outlook-addin:${new URL(baseUrl).origin}`)
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** `/addin/manifest.xml`: the manifest for this deployment's origin. */
export function serveAddinManifest(baseUrl: string): WebResponse {
  const origin = new URL(baseUrl).origin;
  const xml = addinManifest({ baseUrl: origin, id: addinIdFor(origin), version: ADDIN_MANIFEST_VERSION });
  return {
    status: 200,
    headers: {
      "content-type": "application/xml; charset=utf-8",
      "cache-control": "no-cache",
      "content-disposition": 'inline; filename="ones-outlook-addin.xml"',
      ...baseHeaders,
    },
    body: new TextEncoder().encode(xml),
  };
}

/** `/addin/icon-{size}.png`, for the sizes the manifest names. */
export function serveAddinIcon(file: string): WebResponse {
  const size = Number(/^icon-(\d{2,3})\.png$/.exec(file)?.[1]);
  if (!(ADDIN_ICON_SIZES as readonly number[]).includes(size))
    throw new AppError("not-found", "There is no such file.");
  return {
    status: 200,
    headers: { "content-type": "image/png", "cache-control": "public, max-age=86400", ...baseHeaders },
    body: addinIconPng(size as AddinIconSize),
  };
}

import { join } from "node:path";
import { FileSystemWebFiles } from "../adapters/web/file-system-web-files";
import type { WebFiles } from "../app/ports/web-files";
import { serveAddinIcon, serveAddinManifest, serveAddinPage } from "../app/web/serve-addin";
import {
  serveAsset as serveAssetUseCase,
  servePage as servePageUseCase,
  type WebResponse,
  type WebSection,
} from "../app/web/serve-web-page";
import { getServices } from "./services";

let files: WebFiles | undefined;

/**
 * The built web pages: `web/` next to the deployed bundle (dist/index.js → dist/web), or `dist/web`
 * under the working folder when the app runs from source (the local host).
 */
function getWebFiles(): WebFiles {
  files ??= FileSystemWebFiles.firstBuilt(
    [join(__dirname, "web"), join(process.cwd(), "dist", "web")],
    join("app", "index.html"),
  );
  return files;
}

/** A fresh nonce for one page response (128 random bits, base64). */
function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/** A page of `/app` or `/admin`: its index.html with a fresh style nonce, never cached. */
export const servePage = (section: WebSection): Promise<WebResponse> =>
  servePageUseCase({ files: getWebFiles(), nonce: newNonce }, section);

/** A content-hashed asset, in the compressed copy the browser accepts. */
export const serveAsset = (file: string, acceptEncoding: string): Promise<WebResponse> =>
  serveAssetUseCase({ files: getWebFiles() }, file, acceptEncoding);

/** A built file of the pages (the local stand-in Outlook host reads its page this way). */
export const readBuiltWebFile = (path: string): Promise<Uint8Array | undefined> => getWebFiles().read(path);

/** The Outlook add-in's manifest for this deployment's APP_BASE_URL. */
export const addinManifest = (): WebResponse => serveAddinManifest(getServices().settings.APP_BASE_URL);

/** One of the add-in's icons (`icon-…`). */
export const addinIcon = (name: string): WebResponse => serveAddinIcon(name);

/** The add-in's task pane (and its sign-in page): the built page with the registration it signs in to. */
export const addinPage = (): Promise<WebResponse> => {
  const services = getServices();
  return serveAddinPage({
    files: getWebFiles(),
    nonce: newNonce,
    integration: services.integrationStore,
    cloudOverrides: services.cloudOverrides,
  });
};

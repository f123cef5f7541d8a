import { existsSync } from "node:fs";
import { join } from "node:path";
import { FileSystemWebFiles } from "../adapters/web/file-system-web-files";
import type { WebFiles } from "../app/ports/web-files";

let files: WebFiles | undefined;

/**
 * The built web pages: `web/` next to the deployed bundle (dist/index.js → dist/web), or `dist/web`
 * under the working folder when the app runs from source (the local host).
 */
export function getWebFiles(): WebFiles {
  files ??= new FileSystemWebFiles(
    [join(__dirname, "web"), join(process.cwd(), "dist", "web")].find((dir) =>
      existsSync(join(dir, "app", "index.html")),
    ) ?? join(process.cwd(), "dist", "web"),
  );
  return files;
}

/** A fresh nonce for one page response (128 random bits, base64). */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

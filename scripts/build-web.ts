import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "vite";
import { buildDisplay } from "./build-display";

/**
 * Builds the web pages (web/ → dist/web) with Vite and writes a Brotli and a gzip copy of every script
 * and style, which the app sends to browsers that accept them; then the framework-free display page
 * (web/display → dist/display). `--if-stale` skips the build when dist/web is newer than every source
 * file (npm start, the test run).
 */
const root = resolve(__dirname, "..");
const webDir = join(root, "web");
const outDir = join(root, "dist", "web");
const stampFile = join(outDir, ".built");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function webBuildIsStale(): boolean {
  if (!existsSync(stampFile) || !existsSync(join(root, "dist", "display", "display.js"))) return true;
  return newestSource(webDir) > statSync(stampFile).mtimeMs;
}

export async function buildWeb(options: { quiet?: boolean } = {}): Promise<void> {
  await build({
    configFile: join(webDir, "vite.config.mts"),
    logLevel: options.quiet === true ? "silent" : "warn",
  });
  const assets = join(outDir, "assets");
  for (const name of readdirSync(assets)) {
    if (!/\.(js|css|svg)$/.test(name)) continue;
    const bytes = readFileSync(join(assets, name));
    writeFileSync(
      join(assets, `${name}.br`),
      brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
    writeFileSync(join(assets, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  }
  await buildDisplay(join(root, "dist", "display"));
  writeFileSync(stampFile, new Date().toISOString());
  if (options.quiet !== true) console.log(`web pages built into ${outDir}`);
}

if (require.main === module) {
  const ifStale = process.argv.includes("--if-stale");
  (ifStale && !webBuildIsStale() ? Promise.resolve() : buildWeb()).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

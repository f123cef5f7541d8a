import { copyFile, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { version } from "../package.json";

/**
 * Builds the display page (web/display) into dist/display: one minified script for 2019-era tablet
 * browsers, its stylesheet and index.html. Served by functions/web-display.ts.
 */
const root = resolve(__dirname, "..");

export async function buildDisplay(outDir = join(root, "dist", "display")): Promise<string> {
  const source = join(root, "web", "display");
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(source, "main.ts")],
    outfile: join(outDir, "display.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2019",
    minify: true,
    legalComments: "none",
    define: { PAGE_VERSION: JSON.stringify(version) },
    logLevel: "warning",
  });
  await copyFile(join(source, "style.css"), join(outDir, "display.css"));
  await copyFile(join(source, "index.html"), join(outDir, "index.html"));
  return outDir;
}

if (process.argv[1]?.endsWith("build-display.ts")) {
  buildDisplay().then(
    (dir) => console.log(`display page built into ${dir}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

import { build } from "esbuild";
import { statSync } from "node:fs";

/**
 * Bundles the Functions app into dist/index.js (package.json "main"). `@azure/functions-core` is
 * provided by the Functions host at run time, so it stays external.
 */
export async function buildApp(
  options: { quiet?: boolean; outfile?: string } = {},
): Promise<{ bytes: number }> {
  const outfile = options.outfile ?? "dist/index.js";
  await build({
    entryPoints: ["functions/index.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@azure/functions-core"],
    sourcemap: true,
    minify: true,
    keepNames: true,
    legalComments: "none",
    logLevel: options.quiet === true ? "silent" : "warning",
  });
  const bytes = statSync(outfile).size;
  if (options.quiet !== true) console.log(`${outfile}: ${(bytes / 1024).toFixed(0)} KiB`);
  return { bytes };
}

if (require.main === module) {
  buildApp().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp, functionsDir, lazySdks, sdkFile } from "./build";
import { buildWeb, webBuildIsStale } from "./build-web";

/**
 * The folder azd deploys (azure.yaml `dist`): exactly what the Functions host needs to run the app and
 * nothing else. The esbuild bundle carries every dependency except `@azure/functions-core`, which the
 * host provides, so the package has no `node_modules` and Azure runs no build of its own
 * (`remoteBuild: false`).
 *
 *   host.json        the host's configuration, as in the repository
 *   package.json     name, version, "main" and "engines" only: no scripts (nothing for Azure to run)
 *                    and no dependencies (nothing to install)
 *   dist/index.js    the entry bundle, which registers every function
 *   dist/functions/  the function modules' chunks (*.mjs), each loaded on its function's first invocation
 *   dist/sdk/*.js    one file per SDK, loaded on its adapter's first use (cold start)
 *   dist/web/**      the built pages (/app, /admin and their hashed assets), served by the app
 *   dist/display/*   the display page (index.html, display.js, display.css), served at /display
 */
export const stagingDir = "dist/package";

/** The folder of built pages inside the staging folder; `stagedFiles` lists everything else. */
export const stagedWebDir = "dist/web";

/** The folder of the function modules' chunks inside the staging folder (their names carry hashes). */
export const stagedChunkDir = `dist/${functionsDir}`;

/** The display page's files, built with the web pages (scripts/build-display.ts). */
const displayFiles = ["index.html", "display.js", "display.css"] as const;

/** Files the staging folder holds besides the built pages and the chunks, relative to it. */
export const stagedFiles: readonly string[] = [
  "host.json",
  "package.json",
  "dist/index.js",
  ...displayFiles.map((name) => `dist/display/${name}`),
  ...lazySdks.map((name) => `dist/${sdkFile(name)}`),
];

interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly main: string;
  readonly engines?: Readonly<Record<string, string>>;
}

/** The deployed package.json: the repository's own, reduced to what the host reads. */
export function deployManifest(source: PackageManifest): PackageManifest {
  return {
    name: source.name,
    version: source.version,
    ...(source.description === undefined ? {} : { description: source.description }),
    main: source.main,
    ...(source.engines === undefined ? {} : { engines: source.engines }),
  };
}

/** Builds the staging folder from scratch in `outDir` (the project root is the working directory). */
export async function stageDeploy(
  options: { outDir?: string; quiet?: boolean } = {},
): Promise<{ outDir: string; bytes: number }> {
  const outDir = options.outDir ?? stagingDir;
  const source = JSON.parse(readFileSync("package.json", "utf8")) as PackageManifest;
  if (source.main !== "dist/index.js") {
    throw new Error(`package.json "main" is ${source.main}; the staging folder expects dist/index.js`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "dist"), { recursive: true });
  const outfile = join(outDir, source.main);
  const { bytes } = await buildApp({ quiet: true, outfile });
  // Source maps are for local debugging; the host does not load them.
  for (const file of readdirSync(outDir, { recursive: true, encoding: "utf8" })) {
    if (file.endsWith(".map")) rmSync(join(outDir, file));
  }
  if (webBuildIsStale()) await buildWeb({ quiet: true });
  cpSync(join("dist", "web"), join(outDir, stagedWebDir), {
    recursive: true,
    // The build's freshness stamp is for the local build only.
    filter: (source) => !source.endsWith(".built"),
  });
  mkdirSync(join(outDir, "dist", "display"), { recursive: true });
  for (const name of displayFiles)
    copyFileSync(join("dist", "display", name), join(outDir, "dist", "display", name));
  copyFileSync("host.json", join(outDir, "host.json"));
  writeFileSync(join(outDir, "package.json"), `${JSON.stringify(deployManifest(source), null, 2)}\n`);
  if (options.quiet !== true) {
    console.log(`${outDir}: ${stagedFiles.join(", ")} (bundle ${(bytes / 1024).toFixed(0)} KiB)`);
  }
  return { outDir, bytes };
}

if (require.main === module) {
  stageDeploy().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

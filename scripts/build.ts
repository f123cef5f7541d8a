import { build, type Plugin } from "esbuild";
import { statSync } from "node:fs";
import path from "node:path";

/**
 * The SDKs the adapters use. The bundle evaluates each one on the first use of its adapter instead of
 * at import, so a cold start pays only for the SDKs the invoked function needs (health: Tables, Service
 * Bus and Web PubSub; never MSAL or mail). `@azure/functions` is needed at import and stays eager.
 */
export const lazySdks = [
  "@azure/data-tables",
  "@azure/identity",
  "@azure/msal-node",
  "@azure/service-bus",
  "@azure/web-pubsub",
  "@microsoft/microsoft-graph-client",
  "@sendgrid/client",
  "@sendgrid/mail",
  "nodemailer",
  "jose",
] as const;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The file, next to the bundle, that holds one SDK: `sdk/azure-data-tables.js`. */
export const sdkFile = (name: string): string => `sdk/${name.replace(/^@/, "").replace(/\//g, "-")}.js`;

/**
 * Where the app's code imports one of `lazySdks`, the bundle gets a stand-in module instead: a proxy
 * whose export names are known at build time and whose values `require` the SDK's own bundle
 * (`sdk/<name>.js` beside the app's bundle) on first access. So the SDK's code is neither parsed nor
 * evaluated until an adapter touches it, and the adapters keep ordinary imports.
 */
export function lazySdkPlugin(): Plugin {
  const filter = new RegExp(`^(${lazySdks.map(escape).join("|")})$`);
  return {
    name: "lazy-sdk",
    setup(b) {
      b.onResolve({ filter }, (args) =>
        args.importer.includes("node_modules") ? undefined : { path: args.path, namespace: "lazy-sdk" },
      );
      b.onLoad({ filter: /.*/, namespace: "lazy-sdk" }, (args) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const names = Object.getOwnPropertyNames(require(args.path)).filter((n) => n !== "__esModule");
        return {
          loader: "js",
          contents: `
const names = new Set(${JSON.stringify(names)});
let real;
const load = () => (real ??= require(require("node:path").join(__dirname, ${JSON.stringify(sdkFile(args.path))})));
module.exports = new Proxy({}, {
  get: (_, key) => (key === "__esModule" ? true : load()[key]),
  has: (_, key) => names.has(key),
  ownKeys: () => [...names],
  getOwnPropertyDescriptor: (_, key) =>
    names.has(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : undefined,
});
`,
        };
      });
    },
  };
}

/**
 * zod's `z` namespace re-exports the error messages of every language it ships (`z.locales`), some
 * 300 KiB the app never uses: it answers in English (zod's default), so the bundle keeps `en` alone.
 */
export function englishOnlyZodPlugin(): Plugin {
  return {
    name: "zod-english-only",
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
        contents: 'export { default as en } from "./en.js";\n',
        loader: "js",
      }));
    },
  };
}

/**
 * Bundles the Functions app into dist/index.js (package.json "main"), one file. `@azure/functions-core`
 * is provided by the Functions host at run time, so it stays external.
 */
export async function buildApp(
  options: { quiet?: boolean; outfile?: string } = {},
): Promise<{ bytes: number }> {
  const outfile = options.outfile ?? "dist/index.js";
  const quiet = options.quiet ?? false;
  const result = await buildBundle({ entry: "functions/index.ts", outfile, quiet });
  const sdkBytes = await Promise.all(
    lazySdks.map((name) =>
      buildBundle({
        stdin: `module.exports = require(${JSON.stringify(name)});`,
        outfile: path.join(path.dirname(outfile), sdkFile(name)),
        quiet,
        lazy: false,
      }),
    ),
  );
  if (!quiet) {
    const sdks = sdkBytes.reduce((sum, r) => sum + r.bytes, 0);
    console.log(
      `${outfile}: ${(result.bytes / 1024).toFixed(0)} KiB; SDKs in sdk/: ${(sdks / 1024).toFixed(0)} KiB`,
    );
  }
  return result;
}

/** One bundle with the app's esbuild options, from an entry file or from source text (benchmarks). */
export async function buildBundle(options: {
  entry?: string;
  stdin?: string;
  outfile: string;
  quiet?: boolean;
  /** Leave the SDKs to their own bundles (`lazySdkPlugin`); false when bundling an SDK itself. */
  lazy?: boolean;
}): Promise<{ bytes: number }> {
  await build({
    ...(options.entry === undefined ? {} : { entryPoints: [options.entry] }),
    ...(options.stdin === undefined
      ? {}
      : { stdin: { contents: options.stdin, resolveDir: process.cwd(), loader: "ts" as const } }),
    outfile: options.outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@azure/functions-core"],
    plugins: options.lazy === false ? [] : [lazySdkPlugin(), englishOnlyZodPlugin()],
    sourcemap: true,
    minify: true,
    keepNames: true,
    legalComments: "none",
    logLevel: options.quiet === false ? "warning" : "silent",
  });
  return { bytes: statSync(options.outfile).size };
}

if (require.main === module) {
  buildApp().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

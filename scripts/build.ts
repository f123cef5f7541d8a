import { build, type BuildOptions, type Plugin } from "esbuild";
import { readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { FunctionDefinition } from "../functions/lib/definition";

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

/** The folder, next to the entry bundle, of the function modules' chunks. */
export const functionsDir = "functions";

/** Where one definition lives in the source: its module under functions/ and the export that holds it. */
interface DefinitionHome {
  readonly file: string;
  readonly exportName: string;
}

/**
 * The catalogue as registration sees it, read from the source at build time: each function's name and
 * trigger, and the module that defines it. A definition no module exports by itself (one the catalogue
 * makes, as the OpenAPI function) is looked up in the catalogue's own chunk by name.
 */
async function catalogHomes(): Promise<{ definition: FunctionDefinition; home: DefinitionHome }[]> {
  const { functionCatalog } = await import("../functions/catalog");
  const homes = new Map<unknown, DefinitionHome>();
  const files = readdirSync("functions").filter(
    (f) => f.endsWith(".ts") && f !== "index.ts" && f !== "catalog.ts",
  );
  for (const file of files) {
    const module = (await import(path.resolve("functions", file))) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(module)) homes.set(value, { file, exportName });
  }
  return functionCatalog.map((definition) => ({
    definition,
    home: homes.get(definition) ?? { file: "catalog.ts", exportName: "functionCatalog" },
  }));
}

const chunkOf = (file: string): string => `./${functionsDir}/${file.replace(/\.ts$/, ".mjs")}`;

/**
 * In the entry bundle, `./catalog` is replaced by light definitions: each one's name and trigger, and a
 * handler that `import()`s the function's chunk on its first invocation. So importing the app evaluates
 * `@azure/functions` and the registration, and no handler, schema, use case or adapter.
 */
function lazyCatalogPlugin(
  entries: readonly { definition: FunctionDefinition; home: DefinitionHome }[],
): Plugin {
  const rows = entries.map(({ definition, home }) => {
    const { handler: _handler, ...rest } = definition;
    const descriptor = { ...rest, api: undefined };
    const pick =
      home.file === "catalog.ts"
        ? `m.functionCatalog.find((d) => d.name === ${JSON.stringify(definition.name)})`
        : `m[${JSON.stringify(home.exportName)}]`;
    return `  lazyFunction(${JSON.stringify(descriptor)}, () => import(${JSON.stringify(chunkOf(home.file))}).then((m) => ${pick})),`;
  });
  const contents = `import { lazyFunction } from "./lib/lazy";\nexport const functionCatalog = [\n${rows.join("\n")}\n];\n`;
  return {
    name: "lazy-catalog",
    setup(b) {
      b.onResolve({ filter: /^\.\/catalog$/ }, (args) =>
        args.importer.endsWith(path.join("functions", "index.ts"))
          ? { path: "catalog", namespace: "lazy-catalog" }
          : undefined,
      );
      b.onResolve({ filter: new RegExp(`^\\./${functionsDir}/[^/]+\\.mjs$`) }, (args) => ({
        path: args.path,
        external: true,
      }));
      b.onLoad({ filter: /.*/, namespace: "lazy-catalog" }, () => ({
        contents,
        loader: "js",
        resolveDir: path.resolve("functions"),
      }));
    },
  };
}

/**
 * The function modules, split by esbuild into ES module chunks (`functions/*.mjs` beside the entry):
 * one per module, and shared chunks for the code several of them use, so a first invocation evaluates
 * what its function needs and each shared module once. The chunks see `require` and `__dirname` as
 * the entry bundle does (`__dirname` is the entry's folder, where sdk/ and web/ are).
 */
async function buildFunctionChunks(
  files: readonly string[],
  outdir: string,
  quiet: boolean,
): Promise<number> {
  const result = await build({
    ...appBuildOptions(quiet),
    entryPoints: files.map((f) => path.join("functions", f)),
    outbase: "functions",
    outdir,
    format: "esm",
    splitting: true,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    banner: {
      js: [
        'import { createRequire as __onesCreateRequire } from "node:module";',
        'import { dirname as __onesDirname } from "node:path";',
        'import { fileURLToPath as __onesFileURLToPath } from "node:url";',
        "const require = __onesCreateRequire(import.meta.url);",
        "const __dirname = __onesDirname(__onesDirname(__onesFileURLToPath(import.meta.url)));",
      ].join("\n"),
    },
  });
  return Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith(".mjs"))
    .reduce((sum, [, o]) => sum + o.bytes, 0);
}

/**
 * Bundles the Functions app: dist/index.js (package.json "main"), which registers every function, the
 * function modules' chunks in dist/functions/, and each lazy SDK in dist/sdk/. `@azure/functions-core`
 * is provided by the Functions host at run time, so it stays external.
 */
export async function buildApp(
  options: { quiet?: boolean; outfile?: string } = {},
): Promise<{ bytes: number }> {
  const outfile = options.outfile ?? "dist/index.js";
  const quiet = options.quiet ?? false;
  const entries = await catalogHomes();
  const chunkFolder = path.join(path.dirname(outfile), functionsDir);
  rmSync(chunkFolder, { recursive: true, force: true });
  const [result, chunkBytes, ...sdkBytes] = await Promise.all([
    buildBundle({ entry: "functions/index.ts", outfile, quiet, plugins: [lazyCatalogPlugin(entries)] }),
    buildFunctionChunks([...new Set(entries.map((e) => e.home.file))], chunkFolder, quiet),
    ...lazySdks.map((name) =>
      buildBundle({
        stdin: `module.exports = require(${JSON.stringify(name)});`,
        outfile: path.join(path.dirname(outfile), sdkFile(name)),
        quiet,
        lazy: false,
      }),
    ),
  ]);
  if (!quiet) {
    const viaCatalog = entries.filter((e) => e.home.file === "catalog.ts").map((e) => e.definition.name);
    // Loading one of these loads every function; the OpenAPI document needs them all anyway.
    if (viaCatalog.some((name) => name !== "openapi"))
      console.warn(
        `exported by no module of their own, so loaded with the whole catalogue: ${viaCatalog.join(", ")}`,
      );
    const sdks = sdkBytes.reduce((sum, r) => sum + r.bytes, 0);
    console.log(
      `${outfile}: ${(result.bytes / 1024).toFixed(0)} KiB; function chunks in ${functionsDir}/: ` +
        `${(chunkBytes / 1024).toFixed(0)} KiB; SDKs in sdk/: ${(sdks / 1024).toFixed(0)} KiB`,
    );
  }
  return result;
}

/** The esbuild options every bundle of the app shares. */
function appBuildOptions(quiet: boolean, lazy = true): BuildOptions {
  return {
    bundle: true,
    platform: "node",
    target: "node20",
    external: ["@azure/functions-core"],
    plugins: lazy ? [lazySdkPlugin(), englishOnlyZodPlugin()] : [],
    sourcemap: true,
    minify: true,
    keepNames: true,
    legalComments: "none",
    logLevel: quiet ? "silent" : "warning",
  };
}

/** One bundle with the app's esbuild options, from an entry file or from source text (benchmarks). */
export async function buildBundle(options: {
  entry?: string;
  stdin?: string;
  outfile: string;
  quiet?: boolean;
  /** Leave the SDKs to their own bundles (`lazySdkPlugin`); false when bundling an SDK itself. */
  lazy?: boolean;
  /** Plugins run before the app's own. */
  plugins?: Plugin[];
}): Promise<{ bytes: number }> {
  const shared = appBuildOptions(options.quiet !== false, options.lazy !== false);
  await build({
    ...shared,
    ...(options.entry === undefined ? {} : { entryPoints: [options.entry] }),
    ...(options.stdin === undefined
      ? {}
      : { stdin: { contents: options.stdin, resolveDir: process.cwd(), loader: "ts" as const } }),
    outfile: options.outfile,
    format: "cjs",
    plugins: [...(options.plugins ?? []), ...(shared.plugins ?? [])],
  });
  return { bytes: statSync(options.outfile).size };
}

if (require.main === module) {
  buildApp().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

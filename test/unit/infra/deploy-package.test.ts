import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionCatalog } from "../../../functions/catalog";
import { hostRoute, registeredMethods } from "../../../functions/lib/definition";
import {
  stageDeploy,
  stagedChunkDir,
  stagedFiles,
  stagedWebDir,
  stagingDir,
} from "../../../scripts/stage-deploy";

/**
 * The package azd deploys: built the way azd builds it (scripts/stage-deploy.ts), in a temporary folder
 * outside the repository, so no node_modules above it can hide a missing dependency. The bundle is then
 * loaded by a plain node process whose only extra module is a stand-in for `@azure/functions-core`, the
 * API the Functions host gives the worker, which records each registration.
 */
const root = mkdtempSync(join(tmpdir(), "ones-deploy-"));
const outDir = join(root, "package");
const hostApi = join(root, "host-api");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(outDir, path).replaceAll("\\", "/")];
  });
}

interface Registration {
  readonly name: string;
  readonly bindings: Record<
    string,
    {
      type: string;
      route?: string;
      methods?: string[];
      schedule?: string;
      queueName?: string;
      connection?: string;
    }
  >;
}

/** Loads the bundle as the host would and returns what it registered. */
function loadBundle(): Registration[] {
  const probe = `require(${JSON.stringify(join(outDir, "dist/index.js"))}); process.stdout.write(JSON.stringify(globalThis.__registrations));`;
  const out = execFileSync(process.execPath, ["-e", probe], {
    cwd: outDir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", NODE_PATH: hostApi },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out) as Registration[];
}

beforeAll(async () => {
  await stageDeploy({ outDir, quiet: true });
  const core = join(hostApi, "@azure", "functions-core");
  mkdirSync(core, { recursive: true });
  writeFileSync(
    join(core, "index.js"),
    "globalThis.__registrations = [];\n" +
      "module.exports = {\n" +
      "  setProgrammingModel() {},\n" +
      "  registerFunction(metadata) { globalThis.__registrations.push(metadata); return { dispose() {} }; },\n" +
      "  registerHook() { return { dispose() {} }; },\n" +
      "  log() {},\n" +
      "};\n",
  );
}, 120_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("the deployed package (azure.yaml dist)", () => {
  it("is the folder azure.yaml deploys, without a remote build", () => {
    const azureYaml = readFileSync("azure.yaml", "utf8");
    expect(azureYaml).toMatch(new RegExp(`^\\s+dist:\\s*${stagingDir}\\s*$`, "m"));
    expect(azureYaml).toMatch(/^\s+remoteBuild:\s*false\s*$/m);
    expect(azureYaml).toMatch(/^\s+run:\s*npm run stage:deploy\s*$/m);
    const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts["stage:deploy"]).toBe("tsx scripts/stage-deploy.ts");
  });

  it("holds exactly host.json, a script-less package.json, the bundle, its chunks and the built pages", () => {
    const files = filesUnder(outDir);
    const folders = [stagedWebDir, stagedChunkDir].map((d) => `${d}/`);
    expect(files.filter((f) => !folders.some((d) => f.startsWith(d))).sort()).toEqual(
      [...stagedFiles].sort(),
    );
    // Every chunk the entry loads on a first invocation is there, and nothing else is in its folder.
    const entry = readFileSync(join(outDir, "dist/index.js"), "utf8");
    const loaded = [...entry.matchAll(/import\("\.\/([^"]+\.mjs)"\)/g)].map((m) => `dist/${m[1] as string}`);
    expect(loaded.length).toBeGreaterThan(0);
    for (const chunk of loaded) expect(files).toContain(chunk);
    expect(files.filter((f) => f.startsWith(`${stagedChunkDir}/`)).every((f) => f.endsWith(".mjs"))).toBe(
      true,
    );
    for (const page of ["app/index.html", "admin/index.html"])
      expect(files).toContain(`${stagedWebDir}/${page}`);
    expect(files.filter((f) => f.endsWith(".map") || f.endsWith(".built"))).toEqual([]);
    expect(readFileSync(join(outDir, "host.json"), "utf8")).toBe(readFileSync("host.json", "utf8"));
    const manifest = JSON.parse(readFileSync(join(outDir, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(Object.keys(manifest).sort()).toEqual(["description", "engines", "main", "name", "version"]);
    expect(manifest.main).toBe("dist/index.js");
  });

  it("bundles every dependency: the only module it requires beyond Node's own is the host's API", () => {
    const bundle = readFileSync(join(outDir, "dist/index.js"), "utf8");
    const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect([...required].filter((m) => !builtins.has(m))).toEqual(["@azure/functions-core"]);
  });

  it("registers every function of the catalogue with its trigger, loaded without node_modules", () => {
    const registered = loadBundle();
    const byName = new Map(registered.map((r) => [r.name, Object.values(r.bindings)]));
    expect([...byName.keys()].sort()).toEqual(functionCatalog.map((f) => f.name).sort());
    for (const f of functionCatalog) {
      const trigger = byName.get(f.name)?.find((b) => b.type.endsWith("Trigger"));
      switch (f.kind) {
        case "http":
          expect(trigger).toMatchObject({
            type: "httpTrigger",
            route: hostRoute(f),
            methods: registeredMethods(f),
          });
          break;
        case "timer":
          expect(trigger).toMatchObject({ type: "timerTrigger", schedule: f.schedule });
          break;
        case "serviceBusQueue":
          expect(trigger).toMatchObject({
            type: "serviceBusTrigger",
            queueName: f.queueName,
            connection: f.connection,
          });
          break;
      }
    }
  });

  it("fails to load when a dependency is left out of the bundle (the check can fail)", () => {
    const bundle = join(outDir, "dist/index.js");
    const original = readFileSync(bundle, "utf8");
    try {
      writeFileSync(bundle, `require("@azure/data-tables");\n${original}`);
      expect(() => loadBundle()).toThrow(/Cannot find module '@azure\/data-tables'/);
    } finally {
      writeFileSync(bundle, original);
    }
  });
});

describe(".funcignore", () => {
  const patterns = readFileSync(".funcignore", "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

  it("does not exclude node_modules, which azd would read as a request for a remote build", () => {
    expect(patterns.filter((p) => /node_modules/.test(p))).toEqual([]);
  });

  it("excludes none of the files the host needs", () => {
    for (const file of stagedFiles) {
      expect(patterns.filter((p) => p === file || p === file.split("/")[0])).toEqual([]);
    }
  });
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../scripts/build";
import { functionCatalog } from "../../../functions/catalog";

/**
 * The deployed package is the esbuild bundle alone (.funcignore leaves node_modules out). Load it from
 * a folder with no node_modules, with only `@azure/functions-core` answered as the host would, and check
 * that it registers every function of the catalog without reading its settings at import.
 */
const folder = mkdtempSync(path.join(tmpdir(), "ones-bundle-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const loader = `
const Module = require("node:module");
const registered = [];
const core = {
  setProgrammingModel() {}, registerHook() { return { dispose() {} }; }, log() {},
  registerFunction(metadata) { registered.push(metadata.name); return { dispose() {} }; },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "@azure/functions-core" ? core : load.call(this, request, ...rest);
};
require("./index.js");
process.stdout.write(JSON.stringify(registered));
`;

describe("the deployable bundle", () => {
  it(
    "registers every function on its own, with no node_modules and no app settings",
    { timeout: 60_000 },
    async () => {
      await buildApp({ quiet: true, outfile: path.join(folder, "index.js") });
      writeFileSync(path.join(folder, "load.cjs"), loader);
      const output = execFileSync(process.execPath, ["load.cjs"], {
        cwd: folder,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "" },
      });
      expect((JSON.parse(output) as string[]).sort()).toEqual(functionCatalog.map((f) => f.name).sort());
    },
  );
});

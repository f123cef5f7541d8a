import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp, buildBundle } from "../../../scripts/build";

/**
 * The bundle keeps each SDK in its own file (sdk/<name>.js) behind a stand-in that loads it on first
 * use. Importing the app loads none of them; an adapter's first call loads its SDK only.
 */
const folder = mkdtempSync(path.join(tmpdir(), "ones-lazy-sdk-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `script` in a fresh node beside the bundles; `loaded()` lists the SDK files required so far. */
function run(script: string): unknown {
  const prelude = `
const Module = require("node:module");
const sdks = [];
const load = Module._load;
Module._load = function (request, parent, ...rest) {
  if (request === "@azure/functions-core") return { setProgrammingModel() {}, registerHook() { return { dispose() {} }; }, log() {}, registerFunction() { return { dispose() {} }; } };
  const found = /[\\\\/]sdk[\\\\/]([^\\\\/]+)\\.js$/.exec(request);
  if (found) sdks.push(found[1]);
  return load.call(this, request, parent, ...rest);
};
const loaded = () => [...sdks];
`;
  writeFileSync(path.join(folder, "probe.cjs"), prelude + script);
  const output = execFileSync(process.execPath, ["probe.cjs"], {
    cwd: folder,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
  });
  return JSON.parse(output) as unknown;
}

describe("SDKs load on first use", () => {
  it("importing the app evaluates no SDK", { timeout: 120_000 }, async () => {
    await buildApp({ quiet: true, outfile: path.join(folder, "index.js") });
    expect(run(`require("./index.js"); process.stdout.write(JSON.stringify(loaded()));`)).toEqual([]);
  });

  it("an adapter's first use loads its SDK, and that SDK alone", { timeout: 120_000 }, async () => {
    await buildBundle({
      stdin: [
        'import { odata, TableClient } from "@azure/data-tables";',
        'export const filter = (): string => odata`PartitionKey eq ${"room\'1"}`;',
        "export const clientName = (): string => TableClient.name;",
      ].join("\n"),
      outfile: path.join(folder, "tables.js"),
    });
    expect(
      run(`
const tables = require("./tables.js");
const before = loaded();
const result = [tables.filter(), tables.clientName()];
process.stdout.write(JSON.stringify({ before, result, after: loaded() }));`),
    ).toEqual({
      before: [],
      result: ["PartitionKey eq 'room''1'", "TableClient"],
      after: ["azure-data-tables"],
    });
  });
});

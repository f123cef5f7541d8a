import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { functionCatalog } from "../../../functions/catalog";
import { httpFunctions } from "../../../functions/lib/openapi";
import { buildApp, functionsDir } from "../../../scripts/build";

/**
 * The entry bundle registers light definitions; each handler imports its function's chunk on the first
 * invocation. Load the bundle as the host would (the handler the host is given is the registered one),
 * invoke a function through it, and check that the chunk's real handler answered.
 */
const folder = mkdtempSync(path.join(tmpdir(), "ones-chunks-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const probe = `
const Module = require("node:module");
const handlers = new Map();
const core = {
  setProgrammingModel() {}, registerHook() { return { dispose() {} }; }, log() {},
  registerFunction(metadata, handler) { handlers.set(metadata.name, handler); return { dispose() {} }; },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "@azure/functions-core" ? core : load.call(this, request, ...rest);
};
require("./index.js");
const context = { invocationId: "probe", log() {}, warn() {}, error() {} };
const request = { url: "http://127.0.0.1/api/openapi.json", method: "GET", headers: new Headers(), params: {}, query: new URLSearchParams() };
(async () => {
  const first = await handlers.get("openapi")(request, context);
  const again = await handlers.get("openapi")(request, context);
  const doc = JSON.parse(first.body);
  process.stdout.write(JSON.stringify({ status: first.status, etags: first.headers.etag === again.headers.etag, paths: Object.keys(doc.paths).length }));
})();
`;

describe("the function chunks", () => {
  it("answer through the handler the entry registered", { timeout: 120_000 }, async () => {
    await buildApp({ quiet: true, outfile: path.join(folder, "index.js") });
    writeFileSync(path.join(folder, "probe.cjs"), probe);
    const output = execFileSync(process.execPath, ["probe.cjs"], {
      cwd: folder,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    const documented = new Set(httpFunctions(functionCatalog).map((d) => d.route + String(d.outsideApi)));
    expect(JSON.parse(output)).toEqual({ status: 200, etags: true, paths: documented.size });
  });

  it("are ES modules beside the entry, one per function module and shared ones", () => {
    const chunks = readdirSync(path.join(folder, functionsDir)).filter((f) => f.endsWith(".mjs"));
    expect(chunks).toContain("health.mjs");
    expect(chunks).toContain("catalog.mjs");
    expect(chunks.some((f) => f.startsWith("chunk-"))).toBe(true);
  });
});

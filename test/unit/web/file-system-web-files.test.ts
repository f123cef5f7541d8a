import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileSystemWebFiles } from "../../../shared/adapters/web/file-system-web-files";

const root = mkdtempSync(join(tmpdir(), "ones-web-"));
mkdirSync(join(root, "web", "app"), { recursive: true });
writeFileSync(join(root, "web", "app", "index.html"), "<p>app</p>");
writeFileSync(join(root, "secret.txt"), "outside");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the built pages on disk", () => {
  const files = new FileSystemWebFiles(join(root, "web"));

  it("reads a file under its folder", async () => {
    expect(new TextDecoder().decode(await files.read("app/index.html"))).toBe("<p>app</p>");
  });

  it("reads nothing outside its folder, nor the folder itself", async () => {
    expect(await files.read("../secret.txt")).toBeUndefined();
    expect(await files.read("app/../../secret.txt")).toBeUndefined();
    expect(await files.read(join(root, "secret.txt"))).toBeUndefined();
    expect(await files.read("")).toBeUndefined();
  });

  it("finds a file built after a first miss", async () => {
    expect(await files.read("app/late.js")).toBeUndefined();
    writeFileSync(join(root, "web", "app", "late.js"), "x");
    expect(new TextDecoder().decode(await files.read("app/late.js"))).toBe("x");
  });
});

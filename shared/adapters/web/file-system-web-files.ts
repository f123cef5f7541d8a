import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { WebFiles } from "../../app/ports/web-files";

/**
 * The built pages from a folder on disk. Files never change while the app runs (a deployment replaces
 * them all), so each is read once and kept; paths that leave the folder read as missing.
 */
export class FileSystemWebFiles implements WebFiles {
  private readonly cache = new Map<string, Promise<Uint8Array | undefined>>();
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The first of `folders` that holds a built page (`marker`), else the last one. */
  static firstBuilt(folders: readonly string[], marker: string): FileSystemWebFiles {
    const found = folders.find((dir) => existsSync(resolve(dir, marker))) ?? folders.at(-1) ?? ".";
    return new FileSystemWebFiles(found);
  }

  read(relativePath: string): Promise<Uint8Array | undefined> {
    const full = resolve(this.root, relativePath);
    if (!full.startsWith(this.root + sep)) return Promise.resolve(undefined);
    let entry = this.cache.get(full);
    if (entry === undefined) {
      entry = readFile(full).then(
        (bytes) => new Uint8Array(bytes),
        () => undefined,
      );
      // A missing file is not remembered: the pages may be built after the app started (npm start).
      void entry.then((bytes) => bytes === undefined && this.cache.delete(full));
      this.cache.set(full, entry);
    }
    return entry;
  }
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DisplayPageFiles } from "../../app/ports/display-page-files";

/** The built page in a folder (dist/display under the app's root by default), read once and kept. */
export class FolderDisplayPageFiles implements DisplayPageFiles {
  private readonly cache = new Map<string, Promise<Uint8Array | undefined>>();

  constructor(private readonly folder = join(process.cwd(), "dist", "display")) {}

  read(name: string): Promise<Uint8Array | undefined> {
    let file = this.cache.get(name);
    if (file === undefined) {
      file = readFile(join(this.folder, name)).then(
        (bytes) => new Uint8Array(bytes),
        () => {
          this.cache.delete(name); // not built yet: look again next time
          return undefined;
        },
      );
      this.cache.set(name, file);
    }
    return file;
  }
}

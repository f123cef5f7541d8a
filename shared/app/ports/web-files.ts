/** The built web pages (Vite's output), read by path relative to the build folder, e.g. `assets/app-1a2b.js`. */
export interface WebFiles {
  /** The file's bytes, or undefined when there is no such file (or no build at all). */
  read(relativePath: string): Promise<Uint8Array | undefined>;
}

/** The built display page (dist/display): index.html, display.js, display.css. */
export interface DisplayPageFiles {
  /** The file's bytes; undefined when the page was not built or has no such file. */
  read(name: string): Promise<Uint8Array | undefined>;
}

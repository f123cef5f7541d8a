/** The local host's console output: one line per request and per log call, ids rather than payloads. */
export interface HostLogger {
  log(level: string, functionName: string, args: readonly unknown[]): void;
  request(functionName: string, method: string, path: string, status: number, ms: number): void;
  error(source: string, message: string): void;
}

export function consoleLogger(options: { quiet?: boolean } = {}): HostLogger {
  const write = (line: string): void => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  return {
    log: (level, fn, args) => {
      if (level === "trace" || level === "debug") return;
      write(
        `[${level}] ${fn}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`,
      );
    },
    request: (fn, method, path, status, ms) =>
      write(`${method} ${path} → ${status} (${fn}, ${ms.toFixed(0)} ms)`),
    error: (source, message) => process.stderr.write(`[error] ${source}: ${message}\n`),
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): HostLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (level, fn, args) => lines.push(`[${level}] ${fn}: ${args.map(String).join(" ")}`),
    request: (fn, method, path, status) => lines.push(`${method} ${path} → ${status} (${fn})`),
    error: (source, message) => lines.push(`[error] ${source}: ${message}`),
  };
}

/**
 * The benchmarks' machine-readable result: every `scripts/bench-*.ts` ends by printing one line
 * `BENCH_RESULT {json}` (the last line of its output), which `npm run bench` collects into
 * docs/benchmarks.md. Each figure carries its target, so the report can show them side by side.
 */
export interface BenchFigure {
  /** What was measured, in words. */
  readonly name: string;
  readonly value: number | string;
  readonly unit?: string;
  /** The target in words ("≥ 2×", "≤ $0.10", "< 60 s"); absent when there is none. */
  readonly target?: string;
  /** Whether the figure meets its target (absent when there is none). */
  readonly met?: boolean;
}

export interface BenchResult {
  /** The npm script's name without "bench:" ("scale", "cost", "sync"…). */
  readonly bench: string;
  readonly date: string;
  readonly figures: readonly BenchFigure[];
  /** Anything a reader must know to read the figures (sizes, machine load, modelled parts). */
  readonly notes?: readonly string[];
}

/** A figure whose target is an upper bound, rounded to `digits` decimals. */
export function atMost(name: string, value: number, limit: number, unit: string, digits = 2): BenchFigure {
  return {
    name,
    value: Number(value.toFixed(digits)),
    unit,
    target: `≤ ${limit} ${unit}`,
    met: value <= limit,
  };
}

export const BENCH_RESULT_PREFIX = "BENCH_RESULT ";

export function printBenchResult(result: Omit<BenchResult, "date"> & { date?: string }): void {
  const full: BenchResult = { ...result, date: result.date ?? new Date().toISOString() };
  console.log(`${BENCH_RESULT_PREFIX}${JSON.stringify(full)}`);
}

/** The last `BENCH_RESULT` line of a benchmark's output, if it printed one. */
export function parseBenchResult(output: string): BenchResult | undefined {
  const line = output
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(BENCH_RESULT_PREFIX));
  if (line === undefined) return undefined;
  return JSON.parse(line.slice(BENCH_RESULT_PREFIX.length)) as BenchResult;
}

import { describe, expect, it } from "vitest";
import { END, renderBlock, START, withBlock } from "../../../scripts/bench-all";
import { parseBenchResult } from "../../../scripts/bench/result";

/** `npm run bench`: the contract with each benchmark (its last BENCH_RESULT line) and the report's block. */
describe("the benchmark report", () => {
  it("takes the last BENCH_RESULT line of a benchmark's output", () => {
    const output = [
      "some table",
      'BENCH_RESULT {"bench":"x","date":"d1","figures":[{"name":"old","value":1}]}',
      'BENCH_RESULT {"bench":"x","date":"d2","figures":[{"name":"ratio","value":1.5,"unit":"×","target":"≤ 2×","met":true}]}',
      "",
    ].join("\n");
    expect(parseBenchResult(output)).toEqual({
      bench: "x",
      date: "d2",
      figures: [{ name: "ratio", value: 1.5, unit: "×", target: "≤ 2×", met: true }],
    });
    expect(parseBenchResult("no result here\n")).toBeUndefined();
  });

  it("rewrites only the generated block and keeps the hand-written sections", () => {
    const report = `# Benchmarks\n\nIntro.\n\n${START}\nold block\n${END}\n\n## Mine\n\nkept | as is\n`;
    const block = renderBlock(
      [
        {
          script: "bench:scale",
          exitCode: 0,
          seconds: 3,
          result: {
            bench: "scale",
            date: "d",
            figures: [{ name: "a | b", value: 2.5, unit: "×", target: "≥ 2×", met: true }],
          },
        },
        { script: "bench:web", exitCode: 1, seconds: 4 },
      ],
      new Date("2026-12-03T14:00:00Z"),
    );
    const next = withBlock(report, block);
    expect(next.startsWith("# Benchmarks\n\nIntro.\n\n<!-- bench:start -->\n")).toBe(true);
    expect(next.endsWith(`${END}\n\n## Mine\n\nkept | as is\n`)).toBe(true);
    expect(next).not.toContain("old block");
    expect(next).toContain("| `bench:scale` | a \\| b | 2.5 × | ≥ 2× | yes |");
    expect(next).toContain("| `bench:web` | no `BENCH_RESULT` line (exit code 1, 4 s) | — | — | — |");
    expect(withBlock(next, block)).toBe(next);
  });

  it("inserts the block before the first section when the report has none yet", () => {
    const next = withBlock("# Benchmarks\n\nIntro.\n\n## First\n", `${START}\nx\n${END}`);
    expect(next).toBe(`# Benchmarks\n\nIntro.\n\n${START}\nx\n${END}\n\n## First\n`);
  });
});

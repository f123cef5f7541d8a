import Module from "node:module";

/** One function as the Functions host receives it through `registerFunction(metadata, handler)`. */
export interface CapturedFunction {
  name: string;
  bindings: Record<string, Record<string, unknown>>;
}

/**
 * Answers `require("@azure/functions-core")` (normally provided by the Functions host) with a core API
 * that records every registration. Must run before anything calls `app.*` in this process, because
 * `@azure/functions` looks the core API up once and remembers the answer.
 */
export function captureFunctionsCore(): { registered: CapturedFunction[]; restore(): void } {
  const registered: CapturedFunction[] = [];
  const core = {
    version: "4.0.0",
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerHook: () => ({ dispose: () => undefined }),
    log: () => undefined,
    registerFunction: (metadata: CapturedFunction) => {
      registered.push(metadata);
      return { dispose: () => undefined };
    },
  };
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    if (request === "@azure/functions-core") return core;
    return original.call(this, request, ...rest);
  };
  return { registered, restore: () => void (loader._load = original) };
}

/** Differences between what was registered and what is expected, one line each; empty when they agree. */
export function bindingDifferences(
  registered: readonly CapturedFunction[],
  expected: Record<string, Record<string, unknown>>,
): string[] {
  const problems: string[] = [];
  const names = new Set(registered.map((f) => f.name));
  for (const name of Object.keys(expected)) if (!names.has(name)) problems.push(`${name}: not registered`);
  for (const fn of registered) {
    const want = expected[fn.name];
    if (want === undefined) {
      problems.push(`${fn.name}: registered but has no expected binding`);
      continue;
    }
    const triggers = Object.values(fn.bindings).filter((b) => /Trigger$/.test(String(b.type)));
    if (triggers.length !== 1) {
      problems.push(`${fn.name}: ${triggers.length} triggers`);
      continue;
    }
    const trigger = triggers[0] ?? {};
    if (trigger.direction !== "in")
      problems.push(`${fn.name}: trigger direction ${String(trigger.direction)}`);
    for (const [key, value] of Object.entries(want)) {
      const actual =
        key === "methods"
          ? (trigger[key] as string[] | undefined)?.map((m) => m.toUpperCase()).sort()
          : trigger[key];
      const wanted = key === "methods" ? [...(value as string[])].sort() : value;
      if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
        problems.push(`${fn.name}: ${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
      }
    }
    if (want.type === "httpTrigger") {
      const output = Object.values(fn.bindings).find((b) => b.type === "http" && b.direction === "out");
      if (output === undefined) problems.push(`${fn.name}: no http output binding`);
    }
  }
  return problems;
}

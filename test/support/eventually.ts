/**
 * Waits until `check` holds, polling every `intervalMs`, and fails after `timeoutMs` with what
 * `explain` says about the state at that moment. For state reached by work on other event-loop turns
 * or processes (a broker, a host, a timer); a bounded wait, never a fixed sleep.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs?: number; intervalMs?: number; explain?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met in time${options.explain === undefined ? "" : `: ${options.explain()}`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

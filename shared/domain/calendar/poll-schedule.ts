/** Seconds, minutes, hours: the fields of a six-field NCRONTAB that set a regular period. */
const UNITS = [1_000, 60_000, 3_600_000] as const;

/**
 * The period of a regular six-field NCRONTAB schedule in milliseconds: the first field that is not a
 * fixed value sets it (`*` one unit, `*\/N` N units), the coarser ones must be `*`, the finer ones
 * fixed. `0 *\/1 * * * *` is a minute, `*\/5 * * * * *` five seconds, `0 0 *\/2 * * *` two hours.
 * Undefined for anything less regular (lists, ranges, steps that do not divide the unit's cycle).
 */
export function schedulePeriodMs(schedule: string): number | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const cycles = [60, 60, 24];
  for (let i = 0; i < UNITS.length; i++) {
    const field = fields[i] as string;
    const step = field === "*" ? "1" : /^\*\/(\d+)$/.exec(field)?.[1];
    if (step === undefined) {
      if (!/^\d+$/.test(field)) return undefined;
      continue;
    }
    const n = Number(step);
    if (n < 1 || (cycles[i] as number) % n !== 0) return undefined;
    if (fields.slice(i + 1).some((f) => f !== "*")) return undefined;
    return n * (UNITS[i] as number);
  }
  return undefined;
}

/**
 * JSON too long for one string property (Table Storage: 64 KiB, i.e. 32K UTF-16 characters) spread
 * over `p0`, `p1`, … with the count in `parts`.
 */
const PART_CHARS = 30_000;
// An entity holds at most 1 MiB, and strings are stored as UTF-16: 16 parts of 30,000 characters fit.
const MAX_PARTS = 16;

export function packJson(value: unknown): Record<string, string | number> {
  const text = JSON.stringify(value);
  const parts = Math.max(1, Math.ceil(text.length / PART_CHARS));
  if (parts > MAX_PARTS) throw new Error(`a packed value holds at most ${MAX_PARTS * PART_CHARS} characters`);
  const out: Record<string, string | number> = { parts };
  for (let i = 0; i < parts; i++) out[`p${i}`] = text.slice(i * PART_CHARS, (i + 1) * PART_CHARS);
  return out;
}

export function unpackJson<T>(row: Record<string, unknown>): T | undefined {
  const parts = typeof row.parts === "number" ? row.parts : 0;
  if (parts === 0) return undefined;
  let text = "";
  for (let i = 0; i < parts; i++) {
    const p = row[`p${i}`];
    if (typeof p !== "string") return undefined;
    text += p;
  }
  return JSON.parse(text) as T;
}

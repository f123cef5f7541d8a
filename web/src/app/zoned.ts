/**
 * Wall-clock times in a room's IANA zone, with `Intl` only (no time-zone library in the page): the
 * offset of a zone at an instant, and the instant of a wall-clock time `YYYY-MM-DDTHH:MM` in a zone.
 */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? "0");
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant (ISO UTC) of `local` (`YYYY-MM-DDTHH:MM`) in `timeZone`. */
export function zonedToIso(local: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (m === null) return "";
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return new Date(guess).toISOString();
}

/** `YYYY-MM-DDTHH:MM` of an instant in `timeZone` (for a datetime-local input). */
export function isoToZoned(iso: string, timeZone: string): string {
  const t = Date.parse(iso);
  return new Date(t + offsetMs(t, timeZone)).toISOString().slice(0, 16);
}

/** The start of the day (in `timeZone`) that holds `iso`, as an instant. */
export function startOfZonedDay(iso: string, timeZone: string): string {
  return zonedToIso(`${isoToZoned(iso, timeZone).slice(0, 10)}T00:00`, timeZone);
}

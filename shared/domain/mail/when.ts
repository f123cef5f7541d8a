/** Times in mail, shown in the room's own IANA time zone so that the organizer reads the room's clock. */

export const defaultLocale = "en-GB";

/** Zones found valid so far (building a formatter to ask costs far more than the lookup). */
const knownZones = new Set<string>();
const MAX_KNOWN_ZONES = 1_000;

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    return false;
  }
  if (knownZones.size < MAX_KNOWN_ZONES) knownZones.add(zone);
  return true;
}

function zoneOrUtc(zone: string | undefined): string {
  return zone !== undefined && isTimeZone(zone) ? zone : "UTC";
}

/** "Tuesday 3 March 2026, 09:00 – 10:30 (Europe/Berlin)"; the date repeats when the range spans days. */
export function formatRange(
  start: Date,
  end: Date,
  timeZone: string | undefined,
  locale = defaultLocale,
): string {
  const zone = zoneOrUtc(timeZone);
  const format = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone: zone });
  return `${format.formatRange(start, end)} (${zone})`;
}

/** "Tuesday 3 March 2026, 09:00 (Europe/Berlin)". */
export function formatInstant(at: Date, timeZone: string | undefined, locale = defaultLocale): string {
  const zone = zoneOrUtc(timeZone);
  return `${new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone: zone }).format(at)} (${zone})`;
}

/** "3 March 2026" in the given zone. */
export function formatDate(at: Date, timeZone: string | undefined, locale = defaultLocale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: zoneOrUtc(timeZone) }).format(at);
}

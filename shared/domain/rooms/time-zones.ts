import { findWindows, WINDOWS_TO_IANA_MAP } from "windows-iana";

/**
 * Windows time zone names (what Exchange reports in working hours and mailbox settings) mapped to IANA
 * zones (what ONES stores): the primary ("001" territory) zone of CLDR's windowsZones table, as the
 * maintained `windows-iana` package carries it, looked up by lower-case name.
 */
const primaryZones = WINDOWS_TO_IANA_MAP.filter(
  (entry) => entry.territory === "001" && entry.iana[0] !== undefined,
).map((entry) => [entry.windowsName, entry.iana[0] as string] as const);

const byLowerName = new Map(primaryZones.map(([windows, iana]) => [windows.toLowerCase(), iana]));

const byIana = new Map<string, string>();
for (const [windows, iana] of primaryZones) if (!byIana.has(iana)) byIana.set(iana, windows);

/** Whether the runtime knows `zone` as an IANA time zone. */
export function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.includes("/") || zone === "UTC";
  } catch {
    return false;
  }
}

/**
 * The IANA zone for a zone name as Exchange reports it: a Windows name (any case), or an IANA name
 * passed through. `undefined` for names neither table nor runtime knows (custom zones such as
 * "Customized Time Zone"), so the caller falls back to the building's zone.
 */
export function toIanaZone(name: string | null | undefined): string | undefined {
  const trimmed = name?.trim();
  if (trimmed === undefined || trimmed === "") return undefined;
  const mapped = byLowerName.get(trimmed.toLowerCase());
  if (mapped !== undefined) return mapped;
  return isIanaZone(trimmed) ? trimmed : undefined;
}

/**
 * The Windows name for an IANA zone, for Graph writes (Graph takes Windows names everywhere, IANA names
 * only for a few primary zones): the primary table read backwards, then CLDR's territory mapping for
 * zones that are not a Windows zone's primary one (Europe/Amsterdam → "W. Europe Standard Time").
 * `undefined` when neither knows the zone.
 */
export function toWindowsZone(iana: string): string | undefined {
  const primary = byIana.get(iana);
  if (primary !== undefined) return primary;
  return findWindows(iana)?.[0];
}

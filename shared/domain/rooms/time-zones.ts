import { WINDOWS_TO_IANA_MAP } from "windows-iana";

/**
 * Windows time zone names (what Exchange reports in working hours and mailbox settings) mapped to IANA
 * zones (what ONES stores): the primary ("001" territory) zone of CLDR's windowsZones table, as the
 * maintained `windows-iana` package carries it, looked up by lower-case name.
 */
const byLowerName = new Map(
  WINDOWS_TO_IANA_MAP.filter((entry) => entry.territory === "001" && entry.iana[0] !== undefined).map(
    (entry) => [entry.windowsName.toLowerCase(), entry.iana[0] as string],
  ),
);

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

/**
 * How a meeting composed with the Outlook add-in carries its ONES hold, for the Outlook-to-ONES
 * processing to read back. The pane stores the hold id as an add-in custom property; Exchange keeps an
 * add-in's custom properties together as one JSON string in a named MAPI property of the item, named
 * after the add-in's manifest id (Exchange protocol MS-OXCEXT 2.2.5), which Microsoft Graph reads as a
 * single-value extended property.
 */

/** The custom property's name. */
export const HOLD_PROPERTY = "onesHoldId";

/** The Graph id of the extended property holding the add-in's custom properties (for `$expand`). */
export function customPropertiesExtendedPropertyId(addinId: string): string {
  const id = addinId
    .toLowerCase()
    .replace(/[{}]/g, "")
    .replace(/^urn:uuid:/, "");
  return `String {00020329-0000-0000-C000-000000000046} Name cecp-${id}`;
}

/** The hold id in that property's value, if the item carries one. */
export function holdIdOf(customPropertiesJson: string | undefined): string | undefined {
  if (customPropertiesJson === undefined) return undefined;
  try {
    const value = (JSON.parse(customPropertiesJson) as Record<string, unknown>)[HOLD_PROPERTY];
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined;
  }
}

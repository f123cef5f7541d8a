import { AppError } from "../errors";
import { integrationModes, type IntegrationMode } from "./modes";

/**
 * What each integration mode lets ONES do: the product contract of `reference/ones-capabilities.md`
 * (FAQ table) and ARCHITECTURE.md §2, in one table. Every use case asks `requireCapability` before it
 * acts; `GET /api/integration/capabilities` shows the same table to people.
 */
export const capabilities = [
  "create-booking",
  "outlook-bookings-reflected",
  "resource-schedule",
  "walk-in-on-device",
  "extend-on-device",
  "end-on-device",
  "check-in-on-device",
  "booking-policies",
  "edit-delete-restriction",
  "book-for-others",
  "booking-from-user-app",
  "terms-of-use",
  "booking-approval",
  "booking-approval-hold",
  "extra-form-fields",
  "booking-pin",
  "email-style",
  "room-discovery",
  "room-import",
  "directory-sync",
  "sign-in-user-sync",
  "change-notifications",
  "calendar-polling",
] as const;

export type Capability = (typeof capabilities)[number];

export const capabilityLabels: Record<Capability, string> = {
  "create-booking": "Create bookings in ONES",
  "outlook-bookings-reflected": "Bookings made in Outlook shown in ONES",
  "resource-schedule": "Bookings shown on the room schedule",
  "walk-in-on-device": "Walk-in booking on the display",
  "extend-on-device": "Extend a booking on the display",
  "end-on-device": "End a booking on the display",
  "check-in-on-device": "Check in on the display",
  "booking-policies":
    "Booking policies (recurring, all-day, overnight, business hours, multi-room, date range, duration, overlap, check-in required)",
  "edit-delete-restriction": "Restrict editing or deleting before the start",
  "book-for-others": "Booking admins book for other people",
  "booking-from-user-app": "Booking from the staff app",
  "terms-of-use": "Terms-of-use policy",
  "booking-approval": "Booking approval",
  "booking-approval-hold": "Booking approval holding the slot",
  "extra-form-fields": "Extra booking form fields",
  "booking-pin": "Booking PIN",
  "email-style": "Styled booking e-mail",
  "room-discovery": "Rooms and room lists read from Microsoft 365",
  "room-import": "Rooms imported by the admin (e-mail address or CSV)",
  "directory-sync": "Users and groups synchronised from Entra ID",
  "sign-in-user-sync": "People added when they sign in",
  "change-notifications": "Outlook changes pushed to ONES (change notifications)",
  "calendar-polling": "Outlook changes read by polling room calendars",
};

export const modeLabels: Record<IntegrationMode, string> = {
  application: "Application permission",
  delegated: "Delegated permission",
  "delegated-resource-only": "Delegated resource only",
  "application-resource-only": "Application resource only",
};

/** One cell of the table: available, or why not (the permission it lacks, or the mode's rule). */
export type CapabilityCell =
  | { readonly available: true; readonly partial?: string }
  | { readonly available: false; readonly missing: readonly string[]; readonly reason: string };

const yes: CapabilityCell = { available: true };
const lacks = (missing: readonly string[], reason: string): CapabilityCell => ({
  available: false,
  missing,
  reason,
});

const resourceOnly = (mode: "delegated-resource-only" | "application-resource-only"): string =>
  mode === "delegated-resource-only"
    ? "ONES only touches room calendars in this mode; bookings are made in Outlook or as walk-ins on a display"
    : "the app is scoped to room mailboxes in this mode; bookings are made in Outlook or as walk-ins on a display";

/** Features of bookings made in ONES: present wherever ONES can create bookings. */
function onesBookingFeature(mode: IntegrationMode): CapabilityCell {
  if (mode === "application" || mode === "delegated") return yes;
  return lacks(
    mode === "delegated-resource-only"
      ? ["Calendars.ReadWrite.Shared on people's calendars"]
      : ["Calendars.ReadWrite"],
    resourceOnly(mode),
  );
}

/** Features only the application mode has (ones-capabilities.md: A1 only). */
function applicationOnly(mode: IntegrationMode, missing: readonly string[]): CapabilityCell {
  if (mode === "application") return yes;
  if (mode === "delegated")
    return lacks(missing, "the delegated mode acts only as the signed-in person, in their own calendar");
  return lacks(missing, resourceOnly(mode));
}

function cell(mode: IntegrationMode, capability: Capability): CapabilityCell {
  switch (capability) {
    case "outlook-bookings-reflected":
    case "resource-schedule":
    case "walk-in-on-device":
    case "extend-on-device":
    case "end-on-device":
    case "check-in-on-device":
    case "booking-policies":
    case "booking-approval-hold":
      return yes;
    case "create-booking":
    case "booking-from-user-app":
      return onesBookingFeature(mode);
    case "edit-delete-restriction":
    case "terms-of-use":
    case "extra-form-fields":
    case "booking-pin":
    case "email-style":
      return applicationOnly(mode, ["Calendars.ReadWrite"]);
    case "book-for-others":
      return applicationOnly(mode, ["Calendars.ReadWrite"]);
    case "booking-approval":
      return mode === "application"
        ? yes
        : {
            available: true,
            partial: "approval applies to bookings made in ONES; Outlook bookings are held",
          };
    case "room-discovery":
      return mode === "application" || mode === "application-resource-only"
        ? yes
        : lacks(["Place.Read.All"], "rooms are imported by an admin in delegated modes");
    case "room-import":
      return mode === "delegated" || mode === "delegated-resource-only"
        ? yes
        : lacks([], "rooms come from Microsoft 365 (/places) in application modes");
    case "directory-sync":
      return mode === "application"
        ? yes
        : lacks(
            ["User.Read.All", "Group.Read.All"],
            mode === "application-resource-only"
              ? "there is no directory access in this mode"
              : "people are added when they sign in",
          );
    case "sign-in-user-sync":
      return mode === "application-resource-only"
        ? lacks(["User.Read.All"], "no directory access in this mode")
        : yes;
    case "change-notifications":
      return mode === "application" || mode === "application-resource-only"
        ? yes
        : lacks(
            ["Calendars.ReadWrite (application)"],
            "delegated permissions cannot subscribe to room calendars; ONES polls them instead",
          );
    case "calendar-polling":
      return mode === "delegated" || mode === "delegated-resource-only"
        ? yes
        : lacks([], "application modes get change notifications instead");
  }
}

export type CapabilityTable = Record<Capability, CapabilityCell>;

/** The whole table of one mode. */
export function capabilityTable(mode: IntegrationMode): CapabilityTable {
  return Object.fromEntries(capabilities.map((c) => [c, cell(mode, c)])) as CapabilityTable;
}

const tables: Record<IntegrationMode, CapabilityTable> = Object.fromEntries(
  integrationModes.map((m) => [m, capabilityTable(m)]),
) as Record<IntegrationMode, CapabilityTable>;

export function capabilityOf(mode: IntegrationMode, capability: Capability): CapabilityCell {
  return tables[mode][capability];
}

export function hasCapability(mode: IntegrationMode, capability: Capability): boolean {
  return tables[mode][capability].available;
}

/**
 * Throws `not-available-in-mode` naming the mode and what it lacks when the mode does not allow the
 * capability. Every use case calls this before it acts.
 */
export function requireCapability(mode: IntegrationMode, capability: Capability): void {
  const c = tables[mode][capability];
  if (c.available) return;
  const lacking = c.missing.length > 0 ? ` It needs ${c.missing.join(", ")}` : "";
  throw new AppError(
    "not-available-in-mode",
    `${capabilityLabels[capability]} is not available in the ${modeLabels[mode]} mode (${mode}).${lacking}${
      lacking === "" ? " Here" : ";"
    } ${c.reason}.`,
  );
}

/** Capabilities a set of missing permissions takes away in a mode (for the integration test report). */
export function capabilitiesLostWithout(
  mode: IntegrationMode,
  missingPermissions: readonly string[],
): Capability[] {
  if (missingPermissions.length === 0) return [];
  const lost = new Set<Capability>();
  const affected = permissionUses[mode];
  for (const permission of missingPermissions) {
    for (const c of affected[permission] ?? []) if (tables[mode][c].available) lost.add(c);
  }
  return capabilities.filter((c) => lost.has(c));
}

/** Which capabilities of a mode rest on each of its permissions. */
const calendarCapabilities: readonly Capability[] = capabilities.filter(
  (c) => !["room-discovery", "room-import", "directory-sync", "sign-in-user-sync"].includes(c),
);
const permissionUses: Record<IntegrationMode, Record<string, readonly Capability[]>> = {
  application: {
    "Calendars.ReadWrite": calendarCapabilities,
    "User.Read.All": ["directory-sync", "book-for-others"],
    "Group.Read.All": ["directory-sync"],
    "Place.Read.All": ["room-discovery"],
  },
  delegated: { "Calendars.ReadWrite.Shared": calendarCapabilities },
  "delegated-resource-only": { "Calendars.ReadWrite.Shared": calendarCapabilities },
  "application-resource-only": {
    "Calendars.ReadWrite": calendarCapabilities,
    "Place.Read.All": ["room-discovery"],
  },
};

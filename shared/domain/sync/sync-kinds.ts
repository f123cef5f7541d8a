import { hasCapability, type Capability } from "../integration/capabilities";
import { modePermissions, type IntegrationMode } from "../integration/modes";

/** What ONES syncs from Microsoft 365, each on its own timer and with its own status. */
export const syncKinds = ["rooms", "directory"] as const;
export type SyncKind = (typeof syncKinds)[number];

/** The capability (integration/capabilities.ts) a sync kind needs. */
export const syncCapability: Record<SyncKind, Capability> = {
  rooms: "room-discovery",
  directory: "directory-sync",
};

export function isSyncKind(value: string): value is SyncKind {
  return (syncKinds as readonly string[]).includes(value);
}

/** One thing a mode cannot do in a sync, and the Graph permission that would enable it. */
export interface UnavailablePart {
  readonly part: "rooms" | "roomLists" | "users" | "groups" | "memberships" | "roomTimeZones";
  readonly reason: string;
  /** Graph permissions that would enable it (application or delegated, as the mode's kind). */
  readonly permissions: readonly string[];
  /** What ONES does instead in this mode. */
  readonly instead?: string;
}

export interface SyncAvailability {
  readonly kind: SyncKind;
  /** Whether the timer and "run now" do anything in this mode. */
  readonly available: boolean;
  readonly unavailable: readonly UnavailablePart[];
}

/**
 * What each mode may sync, from the permissions the mode holds (ARCHITECTURE.md §2, graph-facts §9):
 * rooms need Place.Read.All (modes 1 and 4); users and groups need User.Read.All and Group.Read.All
 * (mode 1 only); room time zones come from getSchedule, which the calendar permission allows.
 */
export function syncAvailability(mode: IntegrationMode, kind: SyncKind): SyncAvailability {
  const granted = new Set(modePermissions[mode].graph);
  const delegated = modePermissions[mode].kind === "delegated";
  const unavailable: UnavailablePart[] = [];
  if (kind === "rooms") {
    if (!granted.has("Place.Read.All")) {
      const instead = "Import rooms by e-mail address (POST /api/admin/rooms/import).";
      const reason = "Listing rooms needs Place.Read.All, which this mode does not hold.";
      unavailable.push({ part: "rooms", reason, permissions: ["Place.Read.All"], instead });
      unavailable.push({ part: "roomLists", reason, permissions: ["Place.Read.All"], instead });
    }
    if (!["Calendars.ReadWrite", "Calendars.Read"].some((p) => granted.has(p)) && !delegated) {
      unavailable.push({
        part: "roomTimeZones",
        reason:
          "Room time zones come from the rooms' working hours (getSchedule), which needs calendar access.",
        permissions: ["Calendars.Read"],
        instead: "The building's configured time zone.",
      });
    }
    return { kind, available: hasCapability(mode, syncCapability.rooms), unavailable };
  }
  const instead = delegated
    ? "People are created when they sign in to ONES."
    : "None: people and groups are not in ONES.";
  if (!granted.has("User.Read.All")) {
    unavailable.push({
      part: "users",
      reason: "Reading the directory needs User.Read.All.",
      permissions: ["User.Read.All"],
      instead,
    });
  }
  if (!granted.has("Group.Read.All")) {
    const reason = "Reading groups and their members needs Group.Read.All.";
    unavailable.push({ part: "groups", reason, permissions: ["Group.Read.All"], instead });
    unavailable.push({ part: "memberships", reason, permissions: ["Group.Read.All"], instead });
  }
  return { kind, available: hasCapability(mode, syncCapability.directory), unavailable };
}

/** Why "run now" is refused in a mode without the kind's permissions, and what to do instead. */
export function syncRefusal(kind: SyncKind): string {
  return kind === "rooms"
    ? "This mode cannot list rooms (no Place.Read.All): import them with POST /api/admin/rooms/import."
    : "This mode cannot read the directory (no User.Read.All and Group.Read.All): people are added at sign-in.";
}

import { contentHash } from "../sync/content-hash";
import { toIanaZone } from "./time-zones";

/** A room as Graph's /places returns it (the fields ONES selects). Capacity may come as text. */
export interface PlaceRoom {
  readonly id: string;
  readonly emailAddress: string;
  readonly displayName?: string | null;
  readonly capacity?: number | string | null;
  readonly building?: string | null;
  readonly floorNumber?: number | null;
  readonly floorLabel?: string | null;
  readonly isWheelChairAccessible?: boolean | null;
  readonly bookingType?: string | null;
  readonly tags?: readonly string[] | null;
  readonly audioDeviceName?: string | null;
  readonly videoDeviceName?: string | null;
  readonly displayDeviceName?: string | null;
  readonly address?: { readonly city?: string | null; readonly street?: string | null } | null;
}

export interface PlaceRoomList {
  readonly id: string;
  readonly emailAddress: string;
  readonly displayName?: string | null;
  readonly address?: { readonly city?: string | null; readonly street?: string | null } | null;
}

export type TimeZoneSource = "working-hours" | "building" | "default" | "admin";

/** A room as ONES keeps it. `id` is the lower-case mailbox address: stable, unlike a place id. */
export interface Room {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly placeId?: string;
  readonly capacity: number | null;
  readonly buildingId: string;
  readonly buildingName: string;
  readonly floorId: string | null;
  readonly floorLabel: string | null;
  readonly floorNumber: number | null;
  readonly wheelchairAccessible: boolean;
  /** Exchange `BookingType` reserved = "can't be reserved". */
  readonly bookable: boolean;
  readonly tags: readonly string[];
  readonly devices: readonly string[];
  readonly roomListIds: readonly string[];
  readonly timeZone: string;
  readonly timeZoneSource: TimeZoneSource;
  /** Where the room came from: Graph's /places, or an admin's import (delegated modes). */
  readonly source: "places" | "import";
  /** False once the room disappeared from Microsoft 365. Rooms are never deleted. */
  readonly active: boolean;
  readonly deactivatedAt?: string;
}

export interface RoomList {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly placeId: string;
  readonly city: string | null;
}

/** ONES's id of a mailbox: its address in lower case. */
export function mailboxId(email: string): string {
  return email.trim().toLowerCase();
}

/** A key-safe slug for buildings and floors ("Contoso HQ" → "contoso-hq"). */
export function slug(text: string): string {
  const s = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s === "" ? "unassigned" : s.slice(0, 80);
}

/** Capacity as a non-negative integer; Graph has returned it as a string in older payloads. */
export function parseCapacity(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(String(value).trim());
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

export interface RoomContext {
  /** Room lists holding the room (usually one). */
  readonly lists: readonly RoomList[];
  /** IANA zone the admin configured for a building, by building id. */
  readonly buildingZones: ReadonlyMap<string, string>;
  readonly defaultZone: string;
  /** Zone name from the room's working hours (getSchedule), Windows or IANA; undefined when unknown. */
  readonly workingHoursZone?: string;
  /** The stored room, to keep a zone learnt earlier when this run could not ask Graph. */
  readonly previous?: Pick<Room, "timeZone" | "timeZoneSource">;
}

/**
 * Derives the building from what Exchange holds, in order: the room's `building` text, its room
 * list's name, its address; the floor from `floorLabel`, else `floorNumber`.
 */
export function deriveBuilding(place: PlaceRoom, lists: readonly RoomList[]): { id: string; name: string } {
  const name =
    nonEmpty(place.building) ??
    nonEmpty(lists[0]?.displayName?.replace(/\s+rooms?$/i, "")) ??
    nonEmpty([place.address?.street, place.address?.city].filter(Boolean).join(", ")) ??
    "Unassigned";
  return { id: slug(name), name };
}

export function deriveFloor(
  place: PlaceRoom,
  buildingId: string,
): { id: string | null; label: string | null; number: number | null } {
  const number = typeof place.floorNumber === "number" ? place.floorNumber : null;
  const label = nonEmpty(place.floorLabel) ?? (number === null ? null : String(number));
  return { id: floorIdOf(buildingId, label), label, number };
}

/** A floor's id: its building's id and the slug of its label (`hq:2`), or none without a label. */
export function floorIdOf(buildingId: string, label: string | null): string | null {
  return label === null ? null : `${buildingId}:${slug(label)}`;
}

export function resolveTimeZone(
  buildingId: string,
  context: RoomContext,
): { timeZone: string; timeZoneSource: TimeZoneSource } {
  const fromHours = toIanaZone(context.workingHoursZone);
  if (fromHours !== undefined) return { timeZone: fromHours, timeZoneSource: "working-hours" };
  const prev = context.previous;
  if (prev !== undefined && (prev.timeZoneSource === "working-hours" || prev.timeZoneSource === "admin")) {
    return { timeZone: prev.timeZone, timeZoneSource: prev.timeZoneSource };
  }
  const building = context.buildingZones.get(buildingId);
  if (building !== undefined) return { timeZone: building, timeZoneSource: "building" };
  return { timeZone: context.defaultZone, timeZoneSource: "default" };
}

export function roomFromPlace(place: PlaceRoom, context: RoomContext): Room {
  const building = deriveBuilding(place, context.lists);
  const floor = deriveFloor(place, building.id);
  const devices = [place.audioDeviceName, place.videoDeviceName, place.displayDeviceName]
    .map(nonEmpty)
    .filter((d): d is string => d !== undefined);
  return {
    id: mailboxId(place.emailAddress),
    email: place.emailAddress.trim(),
    displayName: nonEmpty(place.displayName) ?? place.emailAddress,
    placeId: place.id,
    capacity: parseCapacity(place.capacity),
    buildingId: building.id,
    buildingName: building.name,
    floorId: floor.id,
    floorLabel: floor.label,
    floorNumber: floor.number,
    wheelchairAccessible: place.isWheelChairAccessible === true,
    bookable: (place.bookingType ?? "standard").toLowerCase() !== "reserved",
    tags: [...(place.tags ?? [])].filter((t) => t.trim() !== "").sort(),
    devices,
    roomListIds: context.lists.map((l) => l.id).sort(),
    ...resolveTimeZone(building.id, context),
    source: "places",
    active: true,
  };
}

export function roomListFromPlace(list: PlaceRoomList): RoomList {
  return {
    id: mailboxId(list.emailAddress),
    email: list.emailAddress.trim(),
    displayName: nonEmpty(list.displayName) ?? list.emailAddress,
    placeId: list.id,
    city: nonEmpty(list.address?.city) ?? null,
  };
}

/** The fingerprint of what a sync compares: everything but bookkeeping. */
export function roomHash(room: Room): string {
  const { deactivatedAt: _d, ...content } = room;
  return contentHash(content);
}

export function roomListHash(list: RoomList): string {
  return contentHash(list);
}

/** The room marked inactive (it disappeared from Microsoft 365): kept, never deleted. */
export function deactivate(room: Room, at: Date): Room {
  return room.active ? { ...room, active: false, deactivatedAt: at.toISOString() } : room;
}

function nonEmpty(value: string | null | undefined): string | undefined {
  const t = value?.trim();
  return t === undefined || t === "" ? undefined : t;
}

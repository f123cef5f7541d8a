import type { TableEntityResult } from "@azure/data-tables";
import type { RoomStore } from "../../app/ports/sync-store";
import type { Room, RoomList, TimeZoneSource } from "../../domain/rooms/room";
import { safeKey, type RoutedWrite } from "./table-batch-writer";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * Rooms, room lists and buildings. A tenant has hundreds to a few thousand rooms, so each table is
 * one partition: reads are one query, and sync writes fill transactions of 100.
 */
export const ROOMS_TABLE = "rooms";
export const ROOM_LISTS_TABLE = "roomLists";
export const BUILDINGS_TABLE = "buildings";
const ROOM_PK = "room";
const LIST_PK = "roomList";
const BUILDING_PK = "building";
/** Every room row carries `active` (roomWrite), so the filter needs no fallback for missing values. */
const ACTIVE_ROOMS = `PartitionKey eq '${ROOM_PK}' and active eq true`;

type Row = TableEntityResult<Record<string, unknown>>;

/**
 * Counts the room writes this process has prepared (the directory sync writes rooms through
 * `roomWrite`). A room cached before such a write is not used after it; rooms changed by another
 * instance of the app are seen once the cache entry is older than its time to live.
 */
let roomWritesInProcess = 0;
/** Rooms kept at most by a caching store (it starts again when full). */
const MAX_CACHED_ROOMS = 20_000;

export function roomWrite(room: Room, hash: string): RoutedWrite {
  roomWritesInProcess++;
  const entity = {
    partitionKey: ROOM_PK,
    rowKey: safeKey(room.id),
    ...defined({
      email: room.email,
      displayName: room.displayName,
      placeId: room.placeId,
      capacity: room.capacity ?? undefined,
      buildingId: room.buildingId,
      buildingName: room.buildingName,
      floorId: room.floorId ?? undefined,
      floorLabel: room.floorLabel ?? undefined,
      floorNumber: room.floorNumber ?? undefined,
      wheelchairAccessible: room.wheelchairAccessible,
      bookable: room.bookable,
      tags: JSON.stringify(room.tags),
      devices: JSON.stringify(room.devices),
      roomListIds: JSON.stringify(room.roomListIds),
      timeZone: room.timeZone,
      timeZoneSource: room.timeZoneSource,
      source: room.source,
      active: room.active,
      deactivatedAt: room.deactivatedAt,
      hash,
    }),
  };
  return {
    table: ROOMS_TABLE,
    partitionKey: ROOM_PK,
    rowKey: entity.rowKey,
    action: ["upsert", entity, "Replace"],
  };
}

export function roomListWrite(list: RoomList, hash: string): RoutedWrite {
  const entity = {
    partitionKey: LIST_PK,
    rowKey: safeKey(list.id),
    ...defined({
      email: list.email,
      displayName: list.displayName,
      placeId: list.placeId,
      city: list.city ?? undefined,
      hash,
    }),
  };
  return {
    table: ROOM_LISTS_TABLE,
    partitionKey: LIST_PK,
    rowKey: entity.rowKey,
    action: ["upsert", entity, "Replace"],
  };
}

export function roomFromRow(row: Row): Room {
  const str = (k: string): string | undefined => (typeof row[k] === "string" ? row[k] : undefined);
  const num = (k: string): number | null => (typeof row[k] === "number" ? row[k] : null);
  const list = (k: string): string[] => {
    try {
      const v: unknown = JSON.parse(str(k) ?? "[]");
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    } catch {
      return [];
    }
  };
  const placeId = str("placeId");
  const deactivatedAt = str("deactivatedAt");
  return {
    id: (str("email") ?? "").toLowerCase(),
    email: str("email") ?? "",
    displayName: str("displayName") ?? "",
    ...(placeId === undefined ? {} : { placeId }),
    capacity: num("capacity"),
    buildingId: str("buildingId") ?? "unassigned",
    buildingName: str("buildingName") ?? "Unassigned",
    floorId: str("floorId") ?? null,
    floorLabel: str("floorLabel") ?? null,
    floorNumber: num("floorNumber"),
    wheelchairAccessible: row.wheelchairAccessible === true,
    bookable: row.bookable !== false,
    tags: list("tags"),
    devices: list("devices"),
    roomListIds: list("roomListIds"),
    timeZone: str("timeZone") ?? "UTC",
    timeZoneSource: (str("timeZoneSource") ?? "default") as TimeZoneSource,
    source: str("source") === "import" ? "import" : "places",
    active: row.active !== false,
    ...(deactivatedAt === undefined ? {} : { deactivatedAt }),
  };
}

export class TableRoomStore implements RoomStore {
  private readonly cached = new Map<
    string,
    { room: Promise<Room | undefined>; at: number; writes: number }
  >();

  /**
   * `cache`: keep each room `room` found, for `ttlMs` (the booking request path reads its rooms on
   * every request; rooms change only with the directory sync). Concurrent reads of one room share
   * one table read. Without it every call reads the table.
   */
  constructor(
    private readonly tables: TableService,
    private readonly cache?: { readonly ttlMs: number; readonly now: () => number },
  ) {}

  async rooms(): Promise<Room[]> {
    const client = await this.tables.table(ROOMS_TABLE);
    const out: Room[] = [];
    for await (const row of client.listEntities<Record<string, unknown>>()) out.push(roomFromRow(row));
    return out;
  }

  async roomLists(): Promise<RoomList[]> {
    const client = await this.tables.table(ROOM_LISTS_TABLE);
    const out: RoomList[] = [];
    for await (const row of client.listEntities<Record<string, unknown>>()) {
      const text = (k: string): string => (typeof row[k] === "string" ? row[k] : "");
      out.push({
        id: text("email").toLowerCase(),
        email: text("email"),
        displayName: text("displayName"),
        placeId: text("placeId"),
        city: typeof row.city === "string" ? row.city : null,
      });
    }
    return out;
  }

  room(id: string): Promise<Room | undefined> {
    if (this.cache === undefined) return this.readRoom(id);
    const { ttlMs, now } = this.cache;
    const key = id.toLowerCase();
    const hit = this.cached.get(key);
    if (hit !== undefined && hit.writes === roomWritesInProcess && now() - hit.at < ttlMs) return hit.room;
    const entry = { room: this.readRoom(id), at: now(), writes: roomWritesInProcess };
    if (this.cached.size >= MAX_CACHED_ROOMS) this.cached.clear();
    this.cached.set(key, entry);
    // Unknown rooms and failed reads are not kept.
    const forget = (): void => {
      if (this.cached.get(key) === entry) this.cached.delete(key);
    };
    entry.room.then((room) => room === undefined && forget(), forget);
    return entry.room;
  }

  private async readRoom(id: string): Promise<Room | undefined> {
    const client = await this.tables.table(ROOMS_TABLE);
    try {
      return roomFromRow(await client.getEntity<Record<string, unknown>>(ROOM_PK, safeKey(id.toLowerCase())));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async buildingZones(): Promise<Map<string, string>> {
    const client = await this.tables.table(BUILDINGS_TABLE);
    const zones = new Map<string, string>();
    for await (const row of client.listEntities<{ timeZone?: string }>()) {
      if (typeof row.timeZone === "string" && row.timeZone !== "") zones.set(row.rowKey ?? "", row.timeZone);
    }
    return zones;
  }

  /** Sets a building's time zone (admin configuration; used for rooms Graph gives no zone for). */
  async setBuildingZone(buildingId: string, timeZone: string): Promise<void> {
    const client = await this.tables.table(BUILDINGS_TABLE);
    await client.upsertEntity({ partitionKey: BUILDING_PK, rowKey: safeKey(buildingId), timeZone }, "Merge");
  }

  async roomEmails(options: { readonly includeInactive?: boolean } = {}): Promise<Set<string>> {
    const client = await this.tables.table(ROOMS_TABLE);
    const emails = new Set<string>();
    for await (const row of client.listEntities<{ email?: string }>({
      queryOptions: {
        select: ["email"],
        ...(options.includeInactive === true ? {} : { filter: ACTIVE_ROOMS }),
      },
    })) {
      if (typeof row.email === "string") emails.add(row.email.toLowerCase());
    }
    return emails;
  }

  async anyActiveRoomEmail(): Promise<string | undefined> {
    const client = await this.tables.table(ROOMS_TABLE);
    const pages = client
      .listEntities<{ email?: string }>({ queryOptions: { select: ["email"], filter: ACTIVE_ROOMS } })
      .byPage({ maxPageSize: 1 });
    // A filtered query may answer an empty page with a continuation; the first row found ends it.
    for await (const page of pages) {
      const email = page.find((row) => typeof row.email === "string")?.email;
      if (email !== undefined) return email.toLowerCase();
    }
    return undefined;
  }
}

/** Table entities cannot hold null or undefined: leave those properties out. */
export function defined<T extends Record<string, unknown>>(props: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(props).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<T>;
}

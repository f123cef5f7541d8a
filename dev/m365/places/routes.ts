import type { RequestContext, SimResponse } from "../http/context";
import { GraphError } from "../http/errors";
import {
  applyFilter,
  applyOrderBy,
  contextUrl,
  linkWith,
  parseFilterOption,
  parseOrderBy,
  parseSelect,
  parseSkip,
  queryOption,
} from "../http/odata";
import type { FilterSpec } from "../http/odata-filter";
import type { Router, RouteModule } from "../http/router";
import { requirePermission } from "../auth/permissions";
import type { RoomListRecord, RoomRecord } from "../store/types";

/**
 * Places: rooms and room lists (Exchange-backed; Place.Read.All delegated or application).
 * Default page 100 with `@odata.nextLink` using `$skip`; `$top` sets the page size; rooms hidden from
 * the address list are never returned ("Rooms that are marked 'Hidden from GAL' can't be retrieved").
 */

const PLACES = {
  application: ["Place.Read.All", "Place.ReadWrite.All"],
  delegated: ["Place.Read.All", "Place.ReadWrite.All"],
};

const ROOM_PROPERTIES = [
  "id",
  "emailAddress",
  "displayName",
  "address",
  "geoCoordinates",
  "phone",
  "nickname",
  "label",
  "capacity",
  "building",
  "floorNumber",
  "floorLabel",
  "audioDeviceName",
  "videoDeviceName",
  "displayDeviceName",
  "isWheelChairAccessible",
  "bookingType",
  "tags",
] as const;
const ROOM_LIST_PROPERTIES = [
  "id",
  "displayName",
  "address",
  "geoCoordinates",
  "phone",
  "emailAddress",
] as const;

/**
 * The place-list docs say $filter is supported without listing operators per property; the simulator
 * accepts eq/ne/in (and ge/le on numbers) on the scalar room fields — a deliberately narrow reading.
 */
const TEXT: FilterSpec[string] = { ops: ["eq", "ne", "in", "startsWith"] };
const NUMBER: FilterSpec[string] = { ops: ["eq", "ne", "in", "ge", "le"] };
const ROOM_FILTER: FilterSpec = {
  emailAddress: TEXT,
  displayName: TEXT,
  building: TEXT,
  floorLabel: TEXT,
  bookingType: TEXT,
  nickname: TEXT,
  label: TEXT,
  capacity: NUMBER,
  floorNumber: NUMBER,
  isWheelChairAccessible: { ops: ["eq", "ne"] },
  tags: { ops: ["any"] },
};
const ROOM_LIST_FILTER: FilterSpec = {
  emailAddress: { ops: ["eq", "ne", "in", "startsWith"] },
  displayName: { ops: ["eq", "ne", "in", "startsWith"] },
};

function renderRoom(r: RoomRecord, select: string[] | undefined): Record<string, unknown> {
  const keys = select ?? ROOM_PROPERTIES;
  const out: Record<string, unknown> = { "@odata.type": "#microsoft.graph.room" };
  const data = r.data as unknown as Record<string, unknown>;
  for (const k of keys) out[k] = data[k] ?? (k === "tags" ? [] : null);
  if (select && !select.includes("id")) out.id = r.data.id;
  return out;
}

function renderRoomList(l: RoomListRecord, select: string[] | undefined): Record<string, unknown> {
  const keys = select ?? ROOM_LIST_PROPERTIES;
  const out: Record<string, unknown> = { "@odata.type": "#microsoft.graph.roomList" };
  const data = l.data as unknown as Record<string, unknown>;
  for (const k of keys) out[k] = data[k] ?? null;
  if (select && !select.includes("id")) out.id = l.data.id;
  return out;
}

function parsePlaceTop(ctx: RequestContext): number {
  const raw = queryOption(ctx, "top");
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new GraphError(
      400,
      "ErrorInvalidArgument",
      `The value '${raw}' of the query parameter '$top' is invalid.`,
    );
  return n;
}

function page<T>(
  ctx: RequestContext,
  items: T[],
  render: (t: T) => Record<string, unknown>,
  fragment: string,
): SimResponse {
  const top = parsePlaceTop(ctx);
  const skip = parseSkip(ctx);
  const count = (queryOption(ctx, "count") ?? "").toLowerCase() === "true";
  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx, fragment) };
  if (count) body["@odata.count"] = items.length;
  if (skip + top < items.length)
    body["@odata.nextLink"] = linkWith(ctx, { $top: String(top), $skip: String(skip + top) });
  body.value = items.slice(skip, skip + top).map(render);
  return { status: 200, body };
}

function visibleRooms(ctx: RequestContext, filterTo?: string[]): RoomRecord[] {
  const out: RoomRecord[] = [];
  if (filterTo) {
    for (const email of filterTo) {
      const r = ctx.sim.store.rooms.get(email);
      if (r && !r.hiddenFromAddressList) out.push(r);
    }
    return out;
  }
  for (const r of ctx.sim.store.rooms.values()) if (!r.hiddenFromAddressList) out.push(r);
  return out;
}

function listRooms(
  ctx: RequestContext,
  filterTo?: string[],
  fragment = "places/microsoft.graph.room",
): SimResponse {
  requirePermission(ctx, PLACES, "exchange");
  const select = parseSelect(ctx, "microsoft.graph.room");
  const filter = parseFilterOption(ctx, {
    spec: ROOM_FILTER,
    resource: "Room",
    errorCode: "ErrorInvalidProperty",
  });
  const order = parseOrderBy(
    ctx,
    ["displayName", "emailAddress", "capacity", "building", "floorNumber"],
    [],
    false,
  );
  let items = applyFilter(visibleRooms(ctx, filterTo), filter, (r) => r.data);
  items = applyOrderBy(items, order, (r) => r.data as unknown as Record<string, unknown>);
  return page(ctx, items, (r) => renderRoom(r, select), fragment);
}

function listRoomLists(ctx: RequestContext): SimResponse {
  requirePermission(ctx, PLACES, "exchange");
  const select = parseSelect(ctx, "microsoft.graph.roomList");
  const filter = parseFilterOption(ctx, {
    spec: ROOM_LIST_FILTER,
    resource: "RoomList",
    errorCode: "ErrorInvalidProperty",
  });
  const items = applyFilter([...ctx.sim.store.roomLists.values()], filter, (l) => l.data);
  return page(ctx, items, (l) => renderRoomList(l, select), "places/microsoft.graph.roomList");
}

function roomsOfList(ctx: RequestContext): SimResponse {
  requirePermission(ctx, PLACES, "exchange");
  const ref = ctx.params.list ?? "";
  const list = ctx.sim.store.roomLists.get(ref.toLowerCase());
  if (!list) {
    // The list must be addressed by its emailAddress, not its id (place-list docs).
    throw new GraphError(
      404,
      "ErrorItemNotFound",
      "The specified object was not found in the store., The process failed to get the correct properties.",
    );
  }
  return listRooms(ctx, list.rooms, `places('${list.data.emailAddress}')/microsoft.graph.roomList/rooms`);
}

function getPlace(ctx: RequestContext): SimResponse {
  requirePermission(ctx, PLACES, "exchange");
  const ref = ctx.params.id ?? "";
  const room = ctx.sim.store.findRoom(ref);
  if (room && !room.hiddenFromAddressList) {
    return {
      status: 200,
      body: {
        "@odata.context": contextUrl(ctx, "places/$entity"),
        ...renderRoom(room, parseSelect(ctx, "microsoft.graph.room")),
      },
    };
  }
  const list =
    ctx.sim.store.roomLists.get(ref.toLowerCase()) ??
    [...ctx.sim.store.roomLists.values()].find((l) => l.id === ref);
  if (list)
    return {
      status: 200,
      body: {
        "@odata.context": contextUrl(ctx, "places/$entity"),
        ...renderRoomList(list, parseSelect(ctx, "microsoft.graph.roomList")),
      },
    };
  throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
}

export const placesRoutes: RouteModule = {
  name: "places",
  register(router: Router) {
    router.graph("GET", "/places/microsoft.graph.room", (ctx) => listRooms(ctx));
    router.graph("GET", "/places/microsoft.graph.roomList", listRoomLists);
    router.graph("GET", "/places/{list}/microsoft.graph.roomList/rooms", roomsOfList);
    router.graph("GET", "/places/{id}", getPlace);
  },
};

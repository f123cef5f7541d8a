import { z } from "zod";
import { importRooms } from "../shared/composition/rooms";
import { importLinesFromRows, parseRoomCsv, type RoomImportParse } from "../shared/domain/rooms/room-import";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, MAX_JSON_BODY_BYTES, readJson, readText } from "./lib/http";

const room = z.object({
  email: z.string().trim().min(3).max(320),
  displayName: z.string().trim().min(1).max(256).optional(),
  building: z.string().trim().min(1).max(256).optional(),
  floor: z.string().trim().min(1).max(64).optional(),
  capacity: z.number().int().min(0).max(100_000).optional(),
  timeZone: z.string().trim().min(1).max(64).optional(),
});
const body = z.union([
  z.object({ email: z.string().trim().min(3).max(320) }).strict(),
  z.object({ rooms: z.array(room).min(1).max(2000) }).strict(),
  z.object({ csv: z.string().min(1).max(MAX_JSON_BODY_BYTES) }).strict(),
]);

/**
 * POST /api/admin/rooms/import (delegated modes): rooms by e-mail address, one (`{email}`), a list
 * (`{rooms:[…]}`) or CSV (`{csv}` or a `text/csv` body: email[,name,building,floor,capacity,timeZone]).
 * Each room's calendar is checked with a signed-in user's token; the answer says per room why not.
 */
export const adminRoomsImport = httpFunction({
  name: "admin-rooms-import",
  route: "admin/rooms/import",
  methods: ["POST"],
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const parsed = await readImport(request);
    const result = await importRooms({ ...parsed, actingUserId: admin.userId }, (m) => context.log(m));
    return json(200, result);
  }),
});

async function readImport(request: Parameters<typeof readJson>[0]): Promise<RoomImportParse> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  // A CSV body is streamed with the same size limit as JSON (413 past it).
  if (type === "text/csv") return parseRoomCsv(await readText(request));
  const input = await readJson(request, body);
  if ("csv" in input) return parseRoomCsv(input.csv);
  return importLinesFromRows("email" in input ? [{ email: input.email }] : input.rooms);
}

import { z } from "zod";
import { importRooms } from "../shared/app/sync/import-rooms";
import { getServices } from "../shared/composition";
import { importRoomsDependencies } from "../shared/composition/sync";
import { AppError } from "../shared/domain/errors";
import {
  parseRoomCsv,
  type RoomImportLine,
  type RoomImportProblem,
} from "../shared/domain/rooms/room-import";
import { toIanaZone } from "../shared/domain/rooms/time-zones";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, MAX_JSON_BODY_BYTES, readJson } from "./lib/http";

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
    const isZone = (z: string) => toIanaZone(z) !== undefined;
    let parsed: { lines: RoomImportLine[]; problems: RoomImportProblem[] };
    const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (type === "text/csv") {
      const text = await request.text();
      if (text.length > MAX_JSON_BODY_BYTES) throw new AppError("payload-too-large", "The CSV is too large.");
      parsed = parseRoomCsv(text, isZone);
    } else {
      const input = await readJson(request, body);
      if ("csv" in input) parsed = parseRoomCsv(input.csv, isZone);
      else {
        const rooms = "email" in input ? [{ email: input.email }] : input.rooms;
        const csv = rooms
          .map((r) =>
            [r.email, r.displayName, r.building, r.floor, r.capacity, r.timeZone]
              .map((v) => (v === undefined ? "" : `"${String(v).replace(/"/g, '""')}"`))
              .join(","),
          )
          .join("\n");
        parsed = parseRoomCsv(csv, isZone);
      }
    }
    const deps = await importRoomsDependencies(getServices(), (m) => context.log(m));
    const result = await importRooms(deps, { ...parsed, actingUserId: admin.userId });
    return json(200, result);
  }),
});

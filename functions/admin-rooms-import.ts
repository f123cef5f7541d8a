import { z } from "zod";
import { importRooms } from "../shared/composition/rooms";
import { importLinesFromRows, parseRoomCsv, type RoomImportParse } from "../shared/domain/rooms/room-import";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, MAX_JSON_BODY_BYTES, parseInput, readJson, readText } from "./lib/http";

const room = z.object({
  email: z.string().trim().min(3).max(320),
  displayName: z.string().trim().min(1).max(256).optional(),
  building: z.string().trim().min(1).max(256).optional(),
  floor: z.string().trim().min(1).max(64).optional(),
  capacity: z.number().int().min(0).max(100_000).optional(),
  timeZone: z.string().trim().min(1).max(64).optional(),
});
const delimiter = z.enum(["comma", "semicolon"]);
// One object rather than a union, so a wrong field is named (`rooms.0.email`), not "(body)".
const body = z
  .object({
    email: z.string().trim().min(3).max(320).optional(),
    rooms: z.array(room).min(1).max(2000).optional(),
    csv: z.string().min(1).max(MAX_JSON_BODY_BYTES).optional(),
    delimiter: delimiter.optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    const given = (["email", "rooms", "csv"] as const).filter((k) => input[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: given.length === 0 ? ["email"] : [given[1] as string],
        message: "Give exactly one of email, rooms or csv.",
      });
    }
    if (input.delimiter !== undefined && input.csv === undefined) {
      ctx.addIssue({ code: "custom", path: ["delimiter"], message: "Only a csv import takes a delimiter." });
    }
  });
const query = z.object({ delimiter: delimiter.optional() });

/**
 * POST /api/admin/rooms/import (delegated modes): rooms by e-mail address, one (`{email}`), a list
 * (`{rooms:[…]}`) or CSV (`{csv}` or a `text/csv` body: email[,name,building,floor,capacity,timeZone]),
 * separated by commas or, as spreadsheets in decimal-comma locales save it, semicolons: `delimiter`
 * (`comma` | `semicolon`, in the JSON body or the query) chooses, else the first line tells.
 * Each room's calendar is checked with a signed-in user's token; the answer says per room why not.
 */
export const adminRoomsImport = httpFunction({
  name: "admin-rooms-import",
  route: "admin/rooms/import",
  methods: ["POST"],
  api: {
    summary: "Import rooms by address, list or CSV (delegated modes)",
    auth: "admin",
    query,
    body,
    textBodies: ["text/csv"],
    responses: { 200: "Per room, imported or why not" },
    errors: ["not-available-in-mode"],
  },
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
  if (type === "text/csv") {
    const chosen = parseInput(query, { delimiter: request.query.get("delimiter") ?? undefined });
    return parseRoomCsv(await readText(request), chosen);
  }
  const input = await readJson(request, body);
  if (input.csv !== undefined)
    return parseRoomCsv(input.csv, { ...(input.delimiter && { delimiter: input.delimiter }) });
  return importLinesFromRows(input.email !== undefined ? [{ email: input.email }] : (input.rooms ?? []));
}

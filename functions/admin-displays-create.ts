import { z } from "zod";
import { registerDisplay } from "../shared/composition/displays";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";

const id = z.string().trim().min(1).max(256);
const body = z
  .object({
    name: z.string().trim().min(1).max(100),
    target: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("room"), roomId: id.transform((v) => v.toLowerCase()) }).strict(),
      z.object({ kind: z.literal("floor"), floorId: id }).strict(),
    ]),
  })
  .strict();

/** POST /api/admin/displays `{ name, target: { kind: "room", roomId } | { kind: "floor", floorId } }`. */
export const adminDisplaysCreate = httpFunction({
  name: "admin-displays-create",
  route: "admin/displays",
  methods: ["POST"],
  api: {
    summary: "Register a display for a room or a floor",
    auth: "admin",
    body,
    responses: { 201: "The display" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const input = await readJson(request, body);
    const display = await registerDisplay(input);
    context.log(`admin ${admin.userId} registered display ${display.id}`);
    return json(201, display);
  }),
});

import { z } from "zod";
import { deviceAction } from "../shared/composition/displays";
import { deviceActions, MAX_DEVICE_MINUTES, MIN_DEVICE_MINUTES } from "../shared/domain/displays/actions";
import { httpFunction } from "./lib/definition";
import { displayCredential } from "./lib/display-credential";
import { handleHttp, json, parseInput, readJson } from "./lib/http";

const params = z.object({ action: z.enum(deviceActions) });
const itemId = z.string().trim().min(3).max(200);
const minutes = z.number().int().min(MIN_DEVICE_MINUTES).max(MAX_DEVICE_MINUTES);
const bodies = {
  "check-in": z.object({ itemId, pin: z.string().trim().max(16).optional() }).strict(),
  extend: z.object({ itemId, minutes }).strict(),
  end: z.object({ itemId }).strict(),
  "book-now": z.object({ minutes, subject: z.string().trim().min(1).max(120).optional() }).strict(),
} as const;

/** Any action's body, for the API description (each action reads its own shape above). */
const anyBody = z.union([bodies["check-in"], bodies.extend, bodies.end, bodies["book-now"]]);

/**
 * POST /api/displays/actions/{check-in|extend|end|book-now} (device credential): a room display acts for
 * its own room; answers the occurrence after the action. The room's displays get the new snapshot.
 */
export const displaysActions = httpFunction({
  name: "displays-actions",
  route: "displays/actions/{action}",
  methods: ["POST"],
  api: {
    summary: "A room display checks in, extends, ends or books the room now",
    auth: "device",
    params,
    body: anyBody,
    responses: { 200: "The occurrence after the action" },
    errors: ["forbidden", "not-found", "conflict", "policy-refused"],
  },
  handler: handleHttp(async (request) => {
    const credential = displayCredential(request);
    const { action } = parseInput(params, request.params);
    const input = await readJson(request, bodies[action] as z.ZodType<Record<string, unknown>>, 1024);
    return json(
      200,
      await deviceAction(credential, { ...input, action } as Parameters<typeof deviceAction>[1]),
    );
  }),
});

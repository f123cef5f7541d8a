import { createHold } from "../shared/composition/holds";
import { newHoldSchema } from "../shared/domain/bookings/hold";
import { authenticate } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";

/**
 * POST /api/bookings/holds: 201 with the hold once the room's slot is reserved for a few minutes; 422
 * with `rule` when the room's policy (or its capacity) refuses; 409 naming the time when it is busy.
 */
export const bookingsHoldsCreate = httpFunction({
  name: "bookings-holds-create",
  route: "bookings/holds",
  methods: ["POST"],
  api: {
    summary: "Hold a room for a meeting being composed in Outlook",
    auth: "user",
    body: newHoldSchema,
    responses: { 201: "The hold, with when it lapses" },
    errors: ["not-found", "conflict", "policy-refused", "not-available-in-mode"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const input = await readJson(request, newHoldSchema);
    const hold = await createHold(principal, input);
    context.log(`hold ${hold.id} made`);
    return json(201, hold, { location: `/api/bookings/holds/${hold.id}` });
  }),
});

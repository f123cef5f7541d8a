import { attachHoldItem } from "../shared/composition/holds";
import { holdItemSchema } from "../shared/domain/bookings/hold";
import { authenticate } from "./lib/auth";
import { bookingIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput, readJson } from "./lib/http";

/** PATCH /api/bookings/holds/{id} `{ itemId }`: the saved Outlook item's id; 200 with the hold. */
export const bookingsHoldsUpdate = httpFunction({
  name: "bookings-holds-update",
  route: "bookings/holds/{id}",
  methods: ["PATCH"],
  api: {
    summary: "Record the saved Outlook item of a hold",
    auth: "user",
    params: bookingIdParams,
    body: holdItemSchema,
    responses: { 200: "The hold" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    const { itemId } = await readJson(request, holdItemSchema);
    return json(200, await attachHoldItem(principal, id, itemId));
  }),
});

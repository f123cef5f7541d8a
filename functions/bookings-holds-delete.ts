import { releaseHold } from "../shared/composition/holds";
import { authenticate } from "./lib/auth";
import { bookingIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, parseInput } from "./lib/http";

/** DELETE /api/bookings/holds/{id}: gives the room's slot back; 204. */
export const bookingsHoldsDelete = httpFunction({
  name: "bookings-holds-delete",
  route: "bookings/holds/{id}",
  methods: ["DELETE"],
  api: {
    summary: "Release a hold",
    auth: "user",
    params: bookingIdParams,
    responses: { 204: { description: "Released", type: "" } },
    errors: ["not-found", "conflict"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    await releaseHold(principal, id);
    return { status: 204 };
  }),
});

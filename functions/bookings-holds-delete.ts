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
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    await releaseHold(principal, id);
    return { status: 204 };
  }),
});

import { getBooking } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { bookingIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

/** GET /api/bookings/{id}: the booking, for its organizer, the person who booked it, its approvers and admins. */
export const bookingsGet = httpFunction({
  name: "bookings-get",
  route: "bookings/{id}",
  methods: ["GET"],
  api: {
    summary: "One booking",
    auth: "user",
    params: bookingIdParams,
    responses: { 200: "The booking" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    return json(200, await getBooking(principal, id));
  }),
});

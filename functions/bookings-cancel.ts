import { z } from "zod";
import { cancelBooking } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { bookingIdParams, queryOf } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const query = z.object({ occurrence: z.iso.datetime({ offset: true }).optional() }).strict();

/** DELETE /api/bookings/{id}[?occurrence=]: cancel the booking or one occurrence; 202 with the booking. */
export const bookingsCancel = httpFunction({
  name: "bookings-cancel",
  route: "bookings/{id}",
  methods: ["DELETE"],
  api: {
    summary: "Cancel a booking or one occurrence",
    auth: "user",
    params: bookingIdParams,
    query,
    responses: { 202: "The booking" },
    errors: ["not-found", "not-available-in-mode"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    const { occurrence } = parseInput(query, queryOf(request));
    return json(202, await cancelBooking(principal, id, occurrence));
  }),
});

import { approveBooking } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { bookingIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

/** POST /api/bookings/{id}/approve: an approver lets the request go ahead; 202 with the booking. */
export const bookingsApprove = httpFunction({
  name: "bookings-approve",
  route: "bookings/{id}/approve",
  methods: ["POST"],
  api: {
    summary: "Approve a booking request",
    auth: "user",
    params: bookingIdParams,
    responses: { 202: "The booking" },
    errors: ["not-found", "conflict"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    return json(202, await approveBooking(principal, id));
  }),
});

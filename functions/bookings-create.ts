import { createBooking } from "../shared/composition/bookings";
import { newBookingSchema } from "../shared/domain/bookings/booking";
import { authenticate } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";

/**
 * POST /api/bookings: 202 with the booking (`pending`, or `awaiting-approval`) once its slots are
 * reserved and the calendar write is queued; 409 naming the conflicting time; 422 with `rule` when a
 * policy refuses.
 */
export const bookingsCreate = httpFunction({
  name: "bookings-create",
  route: "bookings",
  methods: ["POST"],
  api: {
    summary: "Book one or more rooms",
    auth: "user",
    body: newBookingSchema,
    responses: { 202: "The booking, pending or awaiting approval" },
    errors: ["conflict", "policy-refused", "not-found", "not-available-in-mode"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const input = await readJson(request, newBookingSchema);
    const booking = await createBooking(principal, input);
    context.log(`booking ${booking.id} accepted as ${booking.state}`);
    return json(202, booking, { location: `/api/bookings/${booking.id}` });
  }),
});

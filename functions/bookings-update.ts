import { editBooking } from "../shared/composition/bookings";
import { bookingEditSchema } from "../shared/domain/bookings/booking";
import { authenticate } from "./lib/auth";
import { bookingIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput, readJson } from "./lib/http";

/** PATCH /api/bookings/{id}: change the booking, or move one occurrence (`occurrence`); 202 with the booking. */
export const bookingsUpdate = httpFunction({
  name: "bookings-update",
  route: "bookings/{id}",
  methods: ["PATCH"],
  api: {
    summary: "Change a booking or move one occurrence",
    auth: "user",
    params: bookingIdParams,
    body: bookingEditSchema,
    responses: { 202: "The booking" },
    errors: ["not-found", "conflict", "policy-refused", "not-available-in-mode"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    const edit = await readJson(request, bookingEditSchema);
    return json(202, await editBooking(principal, id, edit));
  }),
});

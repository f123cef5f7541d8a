import { z } from "zod";
import { rejectBooking } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { bookingIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput, readJson } from "./lib/http";

const body = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();

/** POST /api/bookings/{id}/reject `{ reason }`: an approver refuses the request; 200 with the booking. */
export const bookingsReject = httpFunction({
  name: "bookings-reject",
  route: "bookings/{id}/reject",
  methods: ["POST"],
  api: {
    summary: "Refuse a booking request",
    auth: "user",
    params: bookingIdParams,
    body,
    responses: { 200: "The booking" },
    errors: ["not-found", "conflict"],
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const { id } = parseInput(bookingIdParams, request.params);
    const { reason } = await readJson(request, body);
    return json(200, await rejectBooking(principal, id, reason));
  }),
});

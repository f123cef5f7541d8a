import { z } from "zod";
import { listAwaitingApproval } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { pageQuery, queryOf } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const query = z.object({ ...pageQuery }).strict();

/**
 * GET /api/bookings/approvals: the booking requests awaiting the signed-in person's decision, soonest
 * first, paged (`{ items, cursor? }`); others' requests are never listed.
 */
export const bookingsApprovals = httpFunction({
  name: "bookings-approvals",
  route: "bookings/approvals",
  methods: ["GET"],
  api: {
    summary: "Booking requests awaiting the signed-in person's approval",
    auth: "user",
    query,
    responses: {
      200: "A page of requests: room, time in the room's zone, organizer, subject as the room's privacy allows",
    },
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const q = parseInput(query, queryOf(request));
    return json(
      200,
      await listAwaitingApproval(principal, {
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      }),
    );
  }),
});

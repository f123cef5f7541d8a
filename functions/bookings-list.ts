import { z } from "zod";
import { listMyBookings } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { isoQueryInstant, pageQuery, queryOf } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const query = z
  .object({
    mine: z.literal("true").default("true"),
    from: isoQueryInstant,
    to: isoQueryInstant,
    ...pageQuery,
  })
  .strict();

/** GET /api/bookings?mine=true&from&to: the bookings the signed-in person organizes, soonest first, paged. */
export const bookingsList = httpFunction({
  name: "bookings-list",
  route: "bookings",
  methods: ["GET"],
  api: {
    summary: "The bookings the signed-in person organizes",
    auth: "user",
    query,
    responses: { 200: "A page of bookings" },
  },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const q = parseInput(query, queryOf(request));
    return json(
      200,
      await listMyBookings(principal, {
        ...(q.from === undefined ? {} : { from: q.from }),
        ...(q.to === undefined ? {} : { to: q.to }),
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      }),
    );
  }),
});

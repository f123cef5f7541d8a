import { z } from "zod";
import { roomSchedule } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { queryOf, roomIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const query = z.object({ from: instant, to: instant }).strict();

/** GET /api/rooms/{id}/schedule?from&to: busy blocks, subject and organizer as the room's privacy allows. */
export const roomsSchedule = httpFunction({
  name: "rooms-schedule",
  route: "rooms/{id}/schedule",
  methods: ["GET"],
  api: {
    summary: "A room's busy blocks, as its privacy allows",
    auth: "user",
    params: roomIdParams,
    query,
    responses: { 200: "The schedule" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    await authenticate(request, context);
    const { id } = parseInput(roomIdParams, request.params);
    const window = parseInput(query, queryOf(request));
    return json(200, await roomSchedule(id, window));
  }),
});

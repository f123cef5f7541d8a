import { getRoom } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { roomIdParams } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

/** GET /api/rooms/{id}: one room and what its booking form must show of its policy. */
export const roomsGet = httpFunction({
  name: "rooms-get",
  route: "rooms/{id}",
  methods: ["GET"],
  api: {
    summary: "One room and what its booking form shows of its policy",
    auth: "user",
    params: roomIdParams,
    responses: { 200: "The room" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request, context) => {
    await authenticate(request, context);
    const { id } = parseInput(roomIdParams, request.params);
    return json(200, await getRoom(id));
  }),
});

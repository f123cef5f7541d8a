import { z } from "zod";
import { listRooms } from "../shared/composition/bookings";
import { authenticate } from "./lib/auth";
import { isoQueryInstant, pageQuery, queryOf } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const query = z
  .object({
    building: z.string().trim().min(1).max(200).optional(),
    floor: z.string().trim().min(1).max(200).optional(),
    capacity: z.coerce.number().int().min(0).max(100_000).optional(),
    equipment: z
      .string()
      .max(2000)
      .transform((s) =>
        s
          .split(",")
          .map((t) => t.trim())
          .filter((t) => t !== ""),
      )
      .pipe(z.array(z.string().max(100)).max(20))
      .optional(),
    from: isoQueryInstant,
    to: isoQueryInstant,
    ...pageQuery,
  })
  .strict()
  .refine((q) => (q.from === undefined) === (q.to === undefined), {
    message: "give from and to together",
    path: ["to"],
  });

/** GET /api/rooms: bookable rooms, filtered by building, floor, capacity, equipment and free time; paged. */
export const roomsList = httpFunction({
  name: "rooms-list",
  route: "rooms",
  methods: ["GET"],
  api: {
    summary: "Bookable rooms, filtered and paged",
    auth: "user",
    query,
    responses: { 200: "A page of rooms" },
  },
  handler: handleHttp(async (request, context) => {
    await authenticate(request, context);
    const q = parseInput(query, queryOf(request));
    return json(
      200,
      await listRooms({
        ...(q.building === undefined ? {} : { building: q.building }),
        ...(q.floor === undefined ? {} : { floor: q.floor }),
        ...(q.capacity === undefined ? {} : { capacity: q.capacity }),
        equipment: q.equipment ?? [],
        ...(q.from === undefined || q.to === undefined ? {} : { free: { from: q.from, to: q.to } }),
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      }),
    );
  }),
});

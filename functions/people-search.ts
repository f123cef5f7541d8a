import { z } from "zod";
import { searchPeople } from "../shared/composition/people";
import { authenticate } from "./lib/auth";
import { queryOf } from "./lib/booking-input";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, parseInput } from "./lib/http";

const query = z
  .object({
    search: z
      .string()
      .trim()
      .min(2)
      .max(100)
      // Control characters, lone surrogates and noncharacters name nobody (and make no table filter).
      .refine((v) => !/[\p{Cc}\p{Cs}\uFFFE\uFFFF]/u.test(v), "holds characters no name holds"),
    limit: z.coerce.number().int().min(1).max(20).default(20),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,600}$/)
      .optional(),
  })
  .strict();

/**
 * GET /api/people?search=: people of the synced directory whose name, surname or address starts with
 * `search` (at least 2 characters), at most 20 a page, for the booking form's attendee picker.
 */
export const peopleSearch = httpFunction({
  name: "people-search",
  route: "people",
  methods: ["GET"],
  api: {
    summary: "Find people of the directory by the start of a name or address",
    auth: "user",
    query,
    responses: { 200: "A page of people: id, display name, address, job title and department" },
  },
  handler: handleHttp(async (request, context) => {
    await authenticate(request, context);
    const q = parseInput(query, queryOf(request));
    return json(
      200,
      await searchPeople({
        search: q.search,
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      }),
    );
  }),
});

import { describeMe } from "../shared/composition/auth";
import { authenticate } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/me: the signed-in person, groups, roles, and whether a new sign-in is needed. */
export const me = httpFunction({
  name: "me",
  route: "me",
  methods: ["GET"],
  api: { summary: "The signed-in person, groups and roles", auth: "user", responses: { 200: "The person" } },
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    return json(200, await describeMe(principal));
  }),
});

import { describeMe } from "../shared/app/auth/describe-me";
import { getServices } from "../shared/composition";
import { authenticate } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** GET /api/me: the signed-in person, groups, roles, and whether a new sign-in is needed. */
export const me = httpFunction({
  name: "me",
  route: "me",
  methods: ["GET"],
  handler: handleHttp(async (request, context) => {
    const principal = await authenticate(request, context);
    const s = getServices();
    return json(
      200,
      await describeMe({ integration: s.integrationStore, userTokens: s.userTokens }, principal),
    );
  }),
});

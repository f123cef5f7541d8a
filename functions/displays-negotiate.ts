import { negotiateDisplay } from "../shared/composition/displays";
import { httpFunction } from "./lib/definition";
import { displayCredential } from "./lib/display-credential";
import { handleHttp, json } from "./lib/http";

/**
 * POST /api/displays/negotiate (device credential): a Web PubSub client URL whose token puts the
 * connection in the device's own room or floor group and grants no send or join permission.
 */
export const displaysNegotiate = httpFunction({
  name: "displays-negotiate",
  route: "displays/negotiate",
  methods: ["POST"],
  api: {
    summary: "A Web PubSub client URL for the display's own group",
    auth: "device",
    responses: { 200: "The client URL" },
  },
  handler: handleHttp(async (request) => json(200, await negotiateDisplay(displayCredential(request)))),
});

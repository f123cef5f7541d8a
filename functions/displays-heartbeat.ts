import { z } from "zod";
import { displayHeartbeat } from "../shared/composition/displays";
import { httpFunction } from "./lib/definition";
import { displayCredential } from "./lib/display-credential";
import { handleHttp, json, readJson } from "./lib/http";

const body = z.object({ pageVersion: z.string().trim().min(1).max(40) }).strict();

/** POST /api/displays/heartbeat `{ pageVersion }` (device credential): records last seen; answers the server time. */
export const displaysHeartbeat = httpFunction({
  name: "displays-heartbeat",
  route: "displays/heartbeat",
  methods: ["POST"],
  api: {
    summary: "A display reports it is alive",
    auth: "device",
    body,
    responses: { 200: "The server time" },
  },
  handler: handleHttp(async (request) => {
    const credential = displayCredential(request);
    const { pageVersion } = await readJson(request, body, 1024);
    return json(200, await displayHeartbeat(credential, pageVersion));
  }),
});

import { displaySchedule } from "../shared/composition/displays";
import { httpFunction } from "./lib/definition";
import { displayCredential } from "./lib/display-credential";
import { handleHttp, json } from "./lib/http";

/** GET /api/displays/schedule (device credential): the current snapshot of the device's room or floor. */
export const displaysSchedule = httpFunction({
  name: "displays-schedule",
  route: "displays/schedule",
  methods: ["GET"],
  api: {
    summary: "The schedule snapshot of the display's room or floor",
    auth: "device",
    responses: { 200: "The snapshot" },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request) => json(200, await displaySchedule(displayCredential(request)))),
});

import { z } from "zod";
import { pairDisplay } from "../shared/composition/displays";
import { httpFunction } from "./lib/definition";
import { callerAddress } from "./lib/display-credential";
import { handleHttp, json, readJson } from "./lib/http";

const body = z.object({ code: z.string().min(1).max(32) }).strict();

/**
 * POST /api/displays/pair `{ code }`: the device's credential for a valid pairing code (once). Wrong
 * codes are rate-limited per caller address and in total (429).
 */
export const displaysPair = httpFunction({
  name: "displays-pair",
  route: "displays/pair",
  methods: ["POST"],
  api: {
    summary: "Exchange a pairing code for the display's credential",
    auth: "none",
    body,
    responses: { 200: "The display and its credential" },
    errors: ["unauthenticated", "rate-limited"],
  },
  handler: handleHttp(async (request, context) => {
    const { code } = await readJson(request, body, 1024);
    const paired = await pairDisplay({ code, address: callerAddress(request) });
    context.log(`display ${paired.display.id} paired`);
    return json(200, paired);
  }),
});

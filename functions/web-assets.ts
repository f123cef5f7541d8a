import { z } from "zod";
import { serveAsset } from "../shared/composition/web";
import { httpFunction } from "./lib/definition";
import { handleHttp, parseInput } from "./lib/http";
import { webResponse } from "./lib/web";

const params = z.object({ file: z.string().min(1).max(200) });

/** GET /assets/{file}: the pages' content-hashed scripts and styles, cached for a year. */
export const webAssets = httpFunction({
  name: "web-assets",
  route: "assets/{file}",
  outsideApi: true,
  methods: ["GET"],
  api: {
    summary: "The pages' content-hashed scripts and styles",
    auth: "none",
    params,
    responses: { 200: { description: "The file, cached for a year", type: "*/*" } },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request) => {
    const { file } = parseInput(params, request.params);
    const accept = request.headers.get("accept-encoding") ?? "";
    return webResponse(await serveAsset(file, accept));
  }),
});

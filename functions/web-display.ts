import { z } from "zod";
import { displayPageFile } from "../shared/composition/displays";
import { httpFunction } from "./lib/definition";
import { handleHttp, parseInput } from "./lib/http";
import type { PageFile } from "../shared/app/displays/display-page";

const response = (file: PageFile) => ({
  status: 200,
  body: file.body,
  headers: { "content-type": file.contentType, ...file.headers },
});

/** GET /display: the room and floor display page (pairing, then the live schedule). */
export const webDisplay = httpFunction({
  name: "web-display",
  route: "display",
  outsideApi: true,
  methods: ["GET"],
  api: {
    summary: "The room and floor display page",
    auth: "none",
    responses: { 200: { description: "The page", type: "text/html" } },
  },
  handler: handleHttp(async () => response(await displayPageFile("index.html"))),
});

const params = z.object({ file: z.enum(["display.js", "display.css"]) });

/** GET /display-assets/{file}: the display page's script and stylesheet. */
export const webDisplayAssets = httpFunction({
  name: "web-display-assets",
  route: "display-assets/{file}",
  outsideApi: true,
  methods: ["GET"],
  api: {
    summary: "The display page's script and stylesheet",
    auth: "none",
    params,
    responses: { 200: { description: "The file", type: "*/*" } },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request) => {
    const { file } = parseInput(params, request.params);
    return response(await displayPageFile(file));
  }),
});

import type { HttpResponseInit } from "@azure/functions";
import type { WebResponse, WebSection } from "../../shared/app/web/serve-web-page";
import { servePage } from "../../shared/composition/web";
import { handleHttp } from "./http";

export const webResponse = (r: WebResponse): HttpResponseInit => ({
  status: r.status,
  headers: r.headers,
  body: r.body,
});

/** The handler of one single-page app: its index.html for every path under it. */
export const pageHandler = (section: WebSection) =>
  handleHttp(async () => webResponse(await servePage(section)));

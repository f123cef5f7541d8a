import { httpFunction } from "./lib/definition";
import { pageHandler } from "./lib/web";

/** GET /admin/…: the management console (every path answers with the console). */
export const webAdmin = httpFunction({
  name: "web-admin",
  route: "admin/{*path}",
  outsideApi: true,
  methods: ["GET"],
  api: {
    summary: "The management console (every path answers with the console)",
    auth: "none",
    responses: { 200: { description: "The page", type: "text/html" } },
  },
  handler: pageHandler("admin"),
});

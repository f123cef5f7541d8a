import { httpFunction } from "./lib/definition";
import { pageHandler } from "./lib/web";

/** GET /app/…: the staff pages (every path answers with the app, which routes in the browser). */
export const webApp = httpFunction({
  name: "web-app",
  route: "app/{*path}",
  outsideApi: true,
  methods: ["GET"],
  api: {
    summary: "The staff pages (every path answers with the app)",
    auth: "none",
    responses: { 200: { description: "The page", type: "text/html" } },
  },
  handler: pageHandler("app"),
});

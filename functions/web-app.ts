import { httpFunction } from "./lib/definition";
import { pageHandler } from "./lib/web";

/** GET /app/…: the staff pages (every path answers with the app, which routes in the browser). */
export const webApp = httpFunction({
  name: "web-app",
  route: "app/{*path}",
  outsideApi: true,
  methods: ["GET"],
  handler: pageHandler("app"),
});

import { httpFunction } from "./lib/definition";
import { pageHandler } from "./lib/web";

/** GET /admin/…: the management console (every path answers with the console). */
export const webAdmin = httpFunction({
  name: "web-admin",
  route: "admin/{*path}",
  outsideApi: true,
  methods: ["GET"],
  handler: pageHandler("admin"),
});

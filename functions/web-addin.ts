import { addinIcon, addinManifest, addinPage } from "../shared/composition/web";
import { AppError } from "../shared/domain/errors";
import { httpFunction } from "./lib/definition";
import { handleHttp } from "./lib/http";
import { webResponse } from "./lib/web";

/**
 * GET /addin/…: the Outlook add-in: its manifest (`manifest.xml`, for this deployment's APP_BASE_URL),
 * its icons, and the task pane's page (`pane`, and `sign-in` for the Office dialog).
 */
export const webAddin = httpFunction({
  name: "web-addin",
  route: "addin/{*path}",
  outsideApi: true,
  methods: ["GET"],
  api: {
    summary: "The Outlook add-in: manifest, icons and task pane",
    auth: "none",
    responses: { 200: { description: "The file (XML, PNG or HTML)", type: "*/*" } },
    errors: ["not-found"],
  },
  handler: handleHttp(async (request) => {
    const path = request.params.path ?? "";
    if (path === "manifest.xml") return webResponse(addinManifest());
    if (path.startsWith("icon-")) return webResponse(addinIcon(path));
    if (path === "pane" || path === "sign-in") return webResponse(await addinPage());
    throw new AppError("not-found", "There is no such add-in page.");
  }),
});

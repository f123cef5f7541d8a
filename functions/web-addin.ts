import { serveAddinIcon, serveAddinManifest, serveAddinPage } from "../shared/app/web/serve-addin";
import { getServices } from "../shared/composition";
import { getWebFiles, newNonce } from "../shared/composition/web";
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
  handler: handleHttp(async (request) => {
    const path = request.params.path ?? "";
    if (path === "manifest.xml") return webResponse(serveAddinManifest(getServices().settings.APP_BASE_URL));
    if (path.startsWith("icon-")) return webResponse(serveAddinIcon(path));
    if (path === "pane" || path === "sign-in") {
      const services = getServices();
      return webResponse(
        await serveAddinPage({
          files: getWebFiles(),
          nonce: newNonce,
          integration: services.integrationStore,
          cloudOverrides: services.cloudOverrides,
        }),
      );
    }
    throw new AppError("not-found", "There is no such add-in page.");
  }),
});

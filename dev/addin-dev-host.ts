import { readBuiltWebFile } from "../shared/composition/web";
import type { LocalPage } from "./host";

/** Where the local stack serves the stand-in Outlook meeting form; not a function, so never in Azure. */
export const ADDIN_DEV_HOST_PATH = "/addin/dev-host";

/**
 * The stand-in for Outlook's appointment organizer form: the built page (web/addin/dev-host.html) that
 * frames the add-in's task pane and hands it a test double of Office.js, for trying the pane and for
 * browser tests without Outlook.
 */
export function addinDevHostPage(): LocalPage {
  return {
    path: ADDIN_DEV_HOST_PATH,
    render: async () => {
      const html = await readBuiltWebFile("addin/dev-host.html");
      return {
        contentType: "text/html; charset=utf-8",
        body:
          html === undefined
            ? "<!doctype html><title>Not built</title><p>The web pages are not built. Run <code>npm run build:web</code>.</p>"
            : new TextDecoder().decode(html),
      };
    },
  };
}

import { boot } from "../../src/ui/boot";
import { addinApi } from "./api";
import { entraConfigOfPage, entraTokens, runSignInDialog, SIGN_IN_PATH } from "./auth";
import type { OfficeSurface } from "./office";
import { NotInOutlook, Pane } from "./Pane";

interface OfficeGlobal extends OfficeSurface {
  onReady(): Promise<{ host: string | null }>;
}

declare global {
  interface Window {
    Office?: OfficeGlobal;
  }
}

/**
 * Where the pane gets Office.js from: Outlook (Office.js from Microsoft's CDN, ready in a mail host),
 * or the stand-in host on the local stack, which frames the pane and publishes its test double.
 */
async function connect(): Promise<{ office: OfficeSurface; standIn: boolean } | undefined> {
  const office = window.Office;
  if (office !== undefined) {
    const info = await office.onReady().catch(() => ({ host: null }));
    if (info.host !== null) return { office, standIn: false };
  }
  try {
    const double = window.parent === window ? undefined : window.parent.onesOfficeDouble;
    return double === undefined ? undefined : { office: double, standIn: true };
  } catch {
    return undefined;
  }
}

void connect().then((connected) => {
  const config = entraConfigOfPage(document);
  if (location.pathname === SIGN_IN_PATH) {
    if (connected !== undefined && config !== undefined) void runSignInDialog(connected.office, config);
    return;
  }
  if (connected === undefined) return boot(<NotInOutlook reason="no-office" />);
  // The stand-in runs on the local stack with the ONES session cookie; Outlook signs in with Entra ID.
  if (connected.standIn)
    return boot(<Pane office={connected.office} api={addinApi(() => Promise.resolve(undefined))} />);
  if (config === undefined) return boot(<NotInOutlook reason="not-set-up" />);
  boot(<Pane office={connected.office} api={addinApi(entraTokens(connected.office, config))} />);
});

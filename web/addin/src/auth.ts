import {
  createNestablePublicClientApplication,
  createStandardPublicClientApplication,
  type IPublicClientApplication,
} from "@azure/msal-browser";
import type { TokenSource } from "./api";
import { call, type OfficeDialog, type OfficeSurface } from "./office";

/** The app registration the pane signs in with; the server writes it into the pane's page. */
export interface EntraConfig {
  readonly clientId: string;
  readonly authority: string;
}

/** The delegated scope the ONES API exposes (Expose an API → `access_as_user`). */
export const apiScope = (clientId: string): string => `api://${clientId}/access_as_user`;

/** The page the Office dialog opens when the host cannot broker the sign-in. */
export const SIGN_IN_PATH = "/addin/sign-in";

/** What the sign-in dialog sends back to the pane. */
interface DialogAnswer {
  readonly accessToken?: string;
  readonly expiresOn?: number;
  readonly error?: string;
}

/**
 * Entra access tokens for the ONES API: nested app authentication where the Outlook host brokers it
 * (MSAL's nestable client; silent first, then the host's own prompt), else the Office dialog API opening
 * ONES's sign-in page, which signs in with MSAL's redirect flow and hands the token back.
 */
export function entraTokens(office: OfficeSurface, config: EntraConfig): TokenSource {
  const request = { scopes: [apiScope(config.clientId)] };
  const nested = office.context.requirements?.isSetSupported("NestedAppAuth", "1.1") ?? false;
  let client: Promise<IPublicClientApplication> | undefined;
  let fromDialog: { token: string; expiresOn: number } | undefined;
  return async () => {
    if (nested) {
      client ??= createNestablePublicClientApplication({
        auth: { clientId: config.clientId, authority: config.authority },
      });
      const app = await client;
      try {
        return (await app.acquireTokenSilent(request)).accessToken;
      } catch {
        return (await app.acquireTokenPopup(request)).accessToken;
      }
    }
    if (fromDialog !== undefined && fromDialog.expiresOn - 60_000 > Date.now()) return fromDialog.token;
    fromDialog = await signInThroughDialog(office);
    return fromDialog.token;
  };
}

function signInThroughDialog(office: OfficeSurface): Promise<{ token: string; expiresOn: number }> {
  const ui = office.context.ui;
  if (ui === undefined) return Promise.reject(new Error("This Outlook cannot open the sign-in window."));
  const url = new URL(SIGN_IN_PATH, location.origin).href;
  return call<OfficeDialog>((cb) =>
    ui.displayDialogAsync(url, { height: 60, width: 30, promptBeforeOpen: false }, cb),
  ).then(
    (dialog) =>
      new Promise((resolve, reject) => {
        dialog.addEventHandler("dialogMessageReceived", (e) => {
          dialog.close();
          const answer = JSON.parse(e.message ?? "{}") as DialogAnswer;
          if (answer.accessToken === undefined)
            reject(new Error(answer.error ?? "The sign-in did not finish."));
          else resolve({ token: answer.accessToken, expiresOn: answer.expiresOn ?? Date.now() + 300_000 });
        });
        dialog.addEventHandler("dialogEventReceived", () =>
          reject(new Error("The sign-in window was closed.")),
        );
      }),
  );
}

/**
 * The sign-in page inside the Office dialog: MSAL's redirect flow against Entra ID (the page is the
 * registration's SPA redirect URI), then the token goes back to the pane through `messageParent`.
 */
export async function runSignInDialog(office: OfficeSurface, config: EntraConfig): Promise<void> {
  const app = await createStandardPublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      redirectUri: new URL(SIGN_IN_PATH, location.origin).href,
    },
  });
  const send = (answer: DialogAnswer) => office.context.ui?.messageParent?.(JSON.stringify(answer));
  try {
    const result = await app.handleRedirectPromise();
    if (result === null) {
      await app.loginRedirect({ scopes: [apiScope(config.clientId)] });
      return;
    }
    send({ accessToken: result.accessToken, expiresOn: result.expiresOn?.getTime() ?? Date.now() + 300_000 });
  } catch (error) {
    send({ error: error instanceof Error ? error.message : String(error) });
  }
}

/** The registration settings the server put into the page, if the integration is set up. */
export function entraConfigOfPage(doc: Document): EntraConfig | undefined {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="ones-entra"]');
  const clientId = meta?.dataset.clientId;
  const authority = meta?.dataset.authority;
  return clientId === undefined || authority === undefined || clientId === ""
    ? undefined
    : { clientId, authority };
}

import {
  AuthError,
  ConfidentialClientApplication,
  CryptoProvider,
  ServerError,
  type ICachePlugin,
} from "@azure/msal-node";
import type { IntegrationSettings, IntegrationStore } from "../../app/ports/integration-store";
import type { SignInClient } from "../../app/ports/sign-in-client";
import { AppError } from "../../domain/errors";
import type { CloudEndpoints } from "../../domain/integration/cloud";
import { modePermissions } from "../../domain/integration/modes";
import { configuration, entraTarget, msalErrorCode, plainApp, type EntraTarget } from "./msal-apps";

/** Sign-in through MSAL's `ConfidentialClientApplication` (auth code + PKCE), one app per sign-in step. */
export class MsalSignInClient implements SignInClient {
  private readonly crypto = new CryptoProvider();

  constructor(
    private readonly integration: IntegrationStore,
    private readonly overrides: Partial<CloudEndpoints>,
  ) {}

  pkce(): Promise<{ verifier: string; challenge: string }> {
    return this.crypto.generatePkceCodes();
  }

  async authorizationUrl(request: {
    state: string;
    nonce: string;
    challenge: string;
    redirectUri: string;
    loginHint?: string;
  }): Promise<string> {
    const { settings, target, secret } = await this.context();
    const app = plainApp(settings, target, secret);
    try {
      return await app.getAuthCodeUrl({
        scopes: scopesFor(settings, target),
        redirectUri: request.redirectUri,
        state: request.state,
        nonce: request.nonce,
        codeChallenge: request.challenge,
        codeChallengeMethod: "S256",
        responseMode: "query",
        ...(request.loginHint === undefined ? {} : { loginHint: request.loginHint }),
      });
    } catch (error) {
      throw unavailable(error);
    }
  }

  async redeemCode(request: {
    code: string;
    state: string;
    nonce: string;
    verifier: string;
    redirectUri: string;
  }): Promise<{ idToken: string; tokenCache?: { serialized: string; homeAccountId: string } }> {
    const { settings, target, secret } = await this.context();
    const delegated = modePermissions[settings.mode].kind === "delegated";
    // Capture what MSAL caches; the caller stores it (encrypted) only after verifying the id token.
    let captured: string | undefined;
    const capture: ICachePlugin = {
      beforeCacheAccess: () => Promise.resolve(),
      afterCacheAccess: (context) => {
        if (context.cacheHasChanged) captured = context.tokenCache.serialize();
        return Promise.resolve();
      },
    };
    const app = new ConfidentialClientApplication(configuration(settings, target, secret, capture));
    try {
      const result = await app.acquireTokenByCode(
        {
          code: request.code,
          scopes: scopesFor(settings, target),
          redirectUri: request.redirectUri,
          codeVerifier: request.verifier,
          state: request.state,
          nonce: request.nonce,
        },
        { code: request.code, state: request.state, nonce: request.nonce },
      );
      if (!result.idToken) throw new AppError("unauthenticated", "The sign-in returned no id token.");
      const homeAccountId = result.account?.homeAccountId;
      return {
        idToken: result.idToken,
        ...(delegated && captured !== undefined && homeAccountId !== undefined
          ? { tokenCache: { serialized: captured, homeAccountId } }
          : {}),
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof ServerError || (error instanceof AuthError && error.name !== "NetworkError")) {
        // invalid_grant (wrong PKCE verifier, used or expired code), state or nonce mismatch.
        throw new AppError(
          "unauthenticated",
          `The sign-in could not be completed (${msalErrorCode(error)}).`,
        );
      }
      throw unavailable(error);
    }
  }

  async logoutUrl(postLogoutRedirectUri: string): Promise<string | undefined> {
    const settings = await this.integration.get();
    if (settings === undefined) return undefined;
    const target = entraTarget(settings, this.overrides);
    return `${target.authority}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(postLogoutRedirectUri)}`;
  }

  private async context(): Promise<{ settings: IntegrationSettings; target: EntraTarget; secret: string }> {
    const settings = await this.integration.get();
    const secret = await this.integration.clientSecret();
    if (settings === undefined || secret === undefined) {
      throw new AppError(
        "precondition-failed",
        "Sign-in is not set up yet: an admin must configure the integration.",
      );
    }
    return { settings, target: entraTarget(settings, this.overrides), secret };
  }
}

/** OpenID scopes are added by MSAL; delegated modes also ask for the mode's Graph permissions. */
function scopesFor(settings: IntegrationSettings, target: EntraTarget): string[] {
  const permissions = modePermissions[settings.mode];
  return permissions.kind === "delegated" ? permissions.graph.map((p) => `${target.graphResource}/${p}`) : [];
}

function unavailable(error: unknown): AppError {
  return new AppError("dependency-unavailable", "Microsoft Entra ID could not be reached for sign-in.", {
    cause: new Error(msalErrorCode(error)),
  });
}

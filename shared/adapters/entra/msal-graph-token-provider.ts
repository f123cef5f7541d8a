import { createHash } from "node:crypto";
import type { ConfidentialClientApplication } from "@azure/msal-node";
import type { GraphTokenProvider, TokenRequest } from "../../app/ports/graph-token-provider";
import type { IntegrationSettings, IntegrationStore } from "../../app/ports/integration-store";
import type { DelegatedSignInState, UserTokenStore } from "../../app/ports/user-token-store";
import type { CloudEndpoints } from "../../domain/integration/cloud";
import type { SignInFailure, SignInLapse } from "../../domain/auth/sign-in-lapse";
import { AppError } from "../../domain/errors";
import { modeLabels } from "../../domain/integration/capabilities";
import { modePermissions } from "../../domain/integration/modes";
import {
  entraTarget,
  msalErrorCode,
  msalFailure,
  needsInteraction,
  plainApp,
  userCacheApp,
} from "./msal-apps";

/**
 * Graph tokens through MSAL Node. Application modes: client credentials against the tenant-specific
 * authority, kept in the app's in-memory cache (one app per integration and secret; MSAL's distributed
 * cache plugin never persists app-only tokens). Delegated modes: each user's cache from `tokenCache`,
 * renewed silently (one read of the user's row per call); a refresh token that stopped working flags
 * the user to sign in again, but only if the row is still the one whose tokens failed. `onNeedsSignIn`
 * hears of the flagging, and again on later calls until it recorded that the user was told (the
 * composition has the user told by mail, which marks the row).
 */
export class MsalGraphTokenProvider implements GraphTokenProvider {
  private appClient: { key: string; app: ConfidentialClientApplication } | undefined;

  constructor(
    private readonly integration: IntegrationStore,
    private readonly users: UserTokenStore,
    private readonly overrides: Partial<CloudEndpoints>,
    /**
     * Called after a user is flagged, and on later calls while the flagged row is not marked notified;
     * its failures are its own (they never hide the flag).
     */
    private readonly onNeedsSignIn: (lapse: SignInLapse) => Promise<void> = () => Promise.resolve(),
  ) {}

  async appToken(options: TokenRequest = {}): Promise<string> {
    const settings = await this.configured();
    if (modePermissions[settings.mode].kind !== "application") {
      throw new AppError(
        "not-available-in-mode",
        `App-only Graph access is not available in the ${modeLabels[settings.mode]} mode (${settings.mode}): it has no application permissions.`,
      );
    }
    const secret = await this.secret();
    const target = entraTarget(settings, this.overrides);
    const key = createHash("sha256")
      .update([settings.cloud, settings.tenantId, settings.clientId, target.authority, secret].join("\n"))
      .digest("base64url");
    if (this.appClient?.key !== key) this.appClient = { key, app: plainApp(settings, target, secret) };
    try {
      const result = await this.appClient.app.acquireTokenByClientCredential({
        scopes: [`${target.graphResource}/.default`],
        ...(options.fresh === true ? { skipCache: true } : {}),
      });
      if (!result?.accessToken) throw new Error("no access token");
      return result.accessToken;
    } catch (error) {
      throw new AppError("dependency-unavailable", "Could not get a Microsoft Graph token for the app.", {
        cause: new Error(msalErrorCode(error)),
      });
    }
  }

  userToken(userId: string, options: TokenRequest = {}): Promise<string> {
    return this.tokenOf(userId, options.fresh === true, false);
  }

  private async tokenOf(userId: string, fresh: boolean, again: boolean): Promise<string> {
    const settings = await this.configured();
    if (modePermissions[settings.mode].kind !== "delegated") {
      throw new AppError(
        "not-available-in-mode",
        `Users' own Graph tokens are not used in the ${modeLabels[settings.mode]} mode (${settings.mode}).`,
      );
    }
    const stored = await this.users.read(userId);
    if (stored === undefined) throw mustSignIn(await this.stateTold(userId));
    const secret = await this.secret();
    const target = entraTarget(settings, this.overrides);
    // A renewal is written back only over the row it renewed: a sign-in meanwhile keeps its tokens.
    const app = userCacheApp(settings, target, secret, stored.cache, async (renewed) => {
      await this.users.write(userId, stored.homeAccountId, renewed, stored.version);
    });
    let failure: SignInFailure;
    try {
      const account = await app.getTokenCache().getAccountByHomeId(stored.homeAccountId);
      if (account === null) {
        failure = { code: "no_account" };
      } else {
        const result = await app.acquireTokenSilent({
          account,
          scopes: modePermissions[settings.mode].graph.map((p) => `${target.graphResource}/${p}`),
          ...(fresh ? { forceRefresh: true } : {}),
        });
        return result.accessToken;
      }
    } catch (error) {
      if (!needsInteraction(error)) {
        throw new AppError("dependency-unavailable", "Could not renew the user's Microsoft Graph token.", {
          cause: new Error(msalErrorCode(error)),
        });
      }
      failure = msalFailure(error);
    }
    const lapse = await this.users.markNeedsSignIn(userId, failure, stored.version);
    if (lapse === undefined) {
      // The row changed since it was read: the user signed in again (try once with the new tokens), or
      // another failure flagged it first (then the retry finds the flag and the notification state).
      if (!again) return this.tokenOf(userId, fresh, true);
      throw mustSignIn("needs-sign-in");
    }
    await this.notify({ userId, lapseId: lapse.lapseId, failure });
    throw mustSignIn("needs-sign-in");
  }

  usersWithToken(limit?: number): Promise<string[]> {
    return this.users.usersWithToken(limit);
  }

  /**
   * Where a user without usable tokens stands; a flagged user not told yet (the mail could not be
   * queued then) is told now. The notification records itself, so this stops once it got through.
   */
  private async stateTold(userId: string): Promise<DelegatedSignInState> {
    const flagged = await this.users.flagged(userId);
    if (flagged === undefined) return this.users.state(userId);
    if (!flagged.notified) await this.notify(flagged.lapse);
    return "needs-sign-in";
  }

  /** The notification's failures are its own: they never hide the flag (and leave it to be retried). */
  private async notify(lapse: SignInLapse): Promise<void> {
    await this.onNeedsSignIn(lapse).catch(() => undefined);
  }

  private async configured(): Promise<IntegrationSettings> {
    const settings = await this.integration.get();
    if (settings === undefined) {
      throw new AppError("precondition-failed", "The Microsoft 365 integration is not set up yet.");
    }
    return settings;
  }

  private async secret(): Promise<string> {
    const secret = await this.integration.clientSecret();
    if (secret === undefined) {
      throw new AppError("precondition-failed", "The Microsoft 365 integration has no client secret.");
    }
    return secret;
  }
}

function mustSignIn(state: "never" | "ok" | "needs-sign-in"): AppError {
  return new AppError(
    "unauthenticated",
    state === "never"
      ? "This person has never signed in to ONES. Users have to sign in to ONES once before ONES can book for them."
      : "This person's Microsoft sign-in has expired or was revoked. They have to sign in to ONES again.",
  );
}

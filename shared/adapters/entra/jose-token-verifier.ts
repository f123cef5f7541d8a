import { createHash } from "node:crypto";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { IntegrationSettings } from "../../app/ports/integration-store";
import type { TokenVerifier, VerifiedClaims } from "../../app/ports/token-verifier";
import { AppError } from "../../domain/errors";
import { cloudEndpoints, type Cloud, type CloudEndpoints } from "../../domain/integration/cloud";

/** Issuer base of Entra v1.0 access tokens per cloud (`{base}/{tenant}/`). */
const stsIssuerBase: Record<Cloud, string> = {
  global: "https://sts.windows.net",
  china: "https://sts.chinacloudapi.cn",
};

/** Clock skew allowed between Entra and us. */
const CLOCK_TOLERANCE_SECONDS = 120;

/** Verified access tokens kept at most (the oldest goes first). */
const MAX_VERIFIED = 10_000;

/**
 * Token verification with `jose` against the tenant's JWKS (`{login}/{tenant}/discovery/v2.0/keys`,
 * fetched once and refreshed on an unknown key id). RS256 only; the tenant is fixed by the integration,
 * so tokens of any other tenant fail on the issuer and the `tid` check. An access token that passed is
 * remembered by its SHA-256 (never the token itself) until its `exp`, for the same integration, so a
 * client sending the same token on every call pays for the signature check once.
 */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private readonly verified = new Map<string, { claims: VerifiedClaims; untilMs: number }>();

  constructor(
    private readonly overrides: Partial<CloudEndpoints>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async verifyIdToken(
    token: string,
    integration: IntegrationSettings,
    nonce: string,
  ): Promise<VerifiedClaims> {
    const { loginBaseUrl } = cloudEndpoints(integration.cloud, this.overrides);
    const claims = await this.verify(token, integration, {
      issuer: [`${loginBaseUrl}/${integration.tenantId}/v2.0`],
      audience: [integration.clientId],
    });
    if (typeof claims.nonce !== "string" || claims.nonce !== nonce) {
      throw refused("The sign-in response does not belong to this sign-in (nonce).");
    }
    return claims;
  }

  async verifyAccessToken(token: string, integration: IntegrationSettings): Promise<VerifiedClaims> {
    const { loginBaseUrl } = cloudEndpoints(integration.cloud, this.overrides);
    const tenant = integration.tenantId;
    const key = `${integration.cloud}|${tenant}|${integration.clientId}|${createHash("sha256").update(token).digest("base64url")}`;
    const hit = this.verified.get(key);
    if (hit !== undefined) {
      if (this.nowMs() < hit.untilMs) return hit.claims;
      this.verified.delete(key);
    }
    const claims = await this.verify(token, integration, {
      issuer: [`${loginBaseUrl}/${tenant}/v2.0`, `${stsIssuerBase[integration.cloud]}/${tenant}/`],
      audience: [integration.clientId, `api://${integration.clientId}`],
    });
    if (typeof claims.exp === "number") {
      if (this.verified.size >= MAX_VERIFIED) {
        const oldest = this.verified.keys().next().value;
        if (oldest !== undefined) this.verified.delete(oldest);
      }
      this.verified.set(key, { claims, untilMs: claims.exp * 1000 });
    }
    return claims;
  }

  private async verify(
    token: string,
    integration: IntegrationSettings,
    expected: { issuer: string[]; audience: string[] },
  ): Promise<VerifiedClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(integration), {
        issuer: expected.issuer,
        audience: expected.audience,
        algorithms: ["RS256"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.nowMs()),
        requiredClaims: ["exp", "iat", "tid", "oid"],
      }));
    } catch (error) {
      if (
        error instanceof errors.JWKSTimeout ||
        (error instanceof TypeError && !(error instanceof errors.JOSEError))
      ) {
        throw new AppError(
          "dependency-unavailable",
          "Could not reach Microsoft Entra ID to check the token.",
          {
            cause: error,
          },
        );
      }
      throw refused(reason(error));
    }
    if (payload.tid !== integration.tenantId) throw refused("The token was issued for another tenant.");
    return payload;
  }

  private keySet(integration: IntegrationSettings): ReturnType<typeof createRemoteJWKSet> {
    const { loginBaseUrl } = cloudEndpoints(integration.cloud, this.overrides);
    const url = `${loginBaseUrl}/${integration.tenantId}/discovery/v2.0/keys`;
    let set = this.keySets.get(url);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 24 * 60 * 60 * 1000 });
      this.keySets.set(url, set);
    }
    return set;
  }
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed)
    return `The token's ${error.claim} claim is not accepted.`;
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return "The token's signature is not valid.";
  return "The token is not valid.";
}

function refused(detail: string): AppError {
  return new AppError("unauthenticated", detail);
}

import type { IdentityClaims } from "../../domain/auth/principal";
import type { IntegrationSettings } from "./integration-store";

export type VerifiedClaims = IdentityClaims & Readonly<Record<string, unknown>>;

/**
 * Verifies Entra tokens against the tenant's signing keys (JWKS): signature, issuer, audience, tenant,
 * lifetime; for id tokens also the nonce. Throws AppError `unauthenticated` on any failure.
 */
export interface TokenVerifier {
  verifyIdToken(token: string, integration: IntegrationSettings, nonce: string): Promise<VerifiedClaims>;
  /** Access tokens issued for the ONES API (audience = the app's client id or `api://{clientId}`). */
  verifyAccessToken(token: string, integration: IntegrationSettings): Promise<VerifiedClaims>;
}

import { jwtVerify, decodeJwt, errors as joseErrors } from "jose";
import type { KeyObject } from "node:crypto";
import { GraphError, graphErrors } from "../http/errors";
import { ACCEPTED_GRAPH_AUDIENCES } from "../entra/clouds";
import type { Clock } from "../store/clock";

/** Who is calling Graph, from a validated bearer token. */
export interface GraphAuth {
  kind: "app" | "delegated";
  /** The client (application) id: `appid`. */
  appId: string;
  tenantId: string;
  /** Application permissions (`roles`). */
  roles: ReadonlySet<string>;
  /** Delegated permissions (`scp`). */
  scopes: ReadonlySet<string>;
  /** Signed-in user's object id (delegated tokens). */
  userId?: string;
  /** Token issue time (s). */
  issuedAt: number;
  expiresAt: number;
  claims: Record<string, unknown>;
}

function claimString(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/**
 * Validates Graph bearer tokens (RS256 signature with the tenant key, lifetime against the simulator
 * clock, audience) and caches the outcome per token string, so repeated calls cost a map lookup.
 */
export class AccessTokenVerifier {
  private readonly cache = new Map<string, GraphAuth>();

  constructor(
    private readonly publicKey: KeyObject,
    private readonly clock: Clock,
  ) {}

  /**
   * @param isExpiredByControl tells whether the control API expired this token (by its `uti`).
   */
  async verify(
    authorization: string | undefined,
    tenantId: string,
    isExpiredByControl: (uti: string) => boolean,
  ): Promise<GraphAuth> {
    if (!authorization || !/^bearer\s+/i.test(authorization)) throw graphErrors.emptyToken();
    const token = authorization.replace(/^bearer\s+/i, "").trim();
    if (token === "") throw graphErrors.emptyToken();
    let auth = this.cache.get(token);
    if (!auth) {
      auth = await this.verifySignature(token);
      if (this.cache.size > 20_000) this.cache.clear();
      this.cache.set(token, auth);
    }
    const nowSec = this.clock.now() / 1000;
    if (auth.expiresAt <= nowSec || isExpiredByControl(claimString(auth.claims.uti)))
      throw graphErrors.expiredToken();
    if (auth.tenantId !== tenantId) throw graphErrors.invalidSignature();
    return auth;
  }

  private async verifySignature(token: string): Promise<GraphAuth> {
    try {
      decodeJwt(token);
    } catch {
      throw graphErrors.malformedToken();
    }
    let payload: Record<string, unknown>;
    try {
      // Lifetime is checked against the simulator clock by the caller, not by jose's wall clock.
      const result = await jwtVerify(token, this.publicKey, {
        algorithms: ["RS256"],
        clockTolerance: 10 * 365 * 24 * 3600,
      });
      payload = result.payload;
    } catch (e) {
      if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JWSInvalid)
        throw graphErrors.invalidSignature();
      if (e instanceof GraphError) throw e;
      throw graphErrors.invalidSignature();
    }
    const aud = typeof payload.aud === "string" ? payload.aud : "";
    if (!ACCEPTED_GRAPH_AUDIENCES.has(aud)) throw graphErrors.invalidAudience();
    const idtyp = payload.idtyp === "app" || typeof payload.scp !== "string" ? "app" : "delegated";
    const roles = Array.isArray(payload.roles) ? (payload.roles as string[]) : [];
    const scopes = typeof payload.scp === "string" ? payload.scp.split(" ").filter(Boolean) : [];
    return {
      kind: idtyp,
      appId: claimString(payload.appid ?? payload.azp),
      tenantId: claimString(payload.tid),
      roles: new Set(roles),
      scopes: new Set(scopes),
      userId: idtyp === "delegated" ? claimString(payload.oid) : undefined,
      issuedAt: Number(payload.iat ?? 0),
      expiresAt: Number(payload.exp ?? 0),
      claims: payload,
    };
  }
}

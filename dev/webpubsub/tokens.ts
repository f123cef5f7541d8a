import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";

/** Why a token was refused (the local service answers 401 either way; tests and logs read the reason). */
export type TokenProblem =
  "missing" | "malformed" | "bad-signature" | "expired" | "wrong-audience" | "invalid";

export type TokenCheck =
  { readonly ok: true; readonly claims: JWTPayload } | { readonly ok: false; readonly problem: TokenProblem };

/**
 * Verifies a Web PubSub JWT as the service does: HS256 signed with the AccessKey string's UTF-8 bytes
 * (not base64-decoded), `aud` exactly `audience`, and an `exp` in the future.
 */
export async function verifyAccessKeyToken(
  token: string | undefined,
  accessKey: string,
  audience: string,
): Promise<TokenCheck> {
  if (token === undefined || token === "") return { ok: false, problem: "missing" };
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(accessKey), {
      algorithms: ["HS256"],
      audience,
      requiredClaims: ["exp"],
    });
    return { ok: true, claims: payload };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}

function problemOf(error: unknown): TokenProblem {
  if (error instanceof joseErrors.JWTExpired) return "expired";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "bad-signature";
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "aud") return "wrong-audience";
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return "malformed";
  return "invalid";
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

/** A claim that may be one string or a list of strings (`role`, `webpubsub.group`). */
export function stringList(claim: unknown): string[] {
  if (typeof claim === "string") return [claim];
  if (Array.isArray(claim)) return claim.filter((c): c is string => typeof c === "string");
  return [];
}

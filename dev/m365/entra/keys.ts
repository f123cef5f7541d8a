import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { exportJWK, type JWK } from "jose";

/** The tenant's token-signing key (RSA 2048, RS256), created once per simulator instance. */
export interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

export async function createSigningKeys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const der = publicKey.export({ type: "spki", format: "der" });
  // Entra's kid/x5t are base64url SHA-1 thumbprints of the signing certificate; the simulator has no
  // certificate, so it uses the thumbprint of the public key instead.
  const kid = createHash("sha1").update(der).digest("base64url");
  const jwk = { ...(await exportJWK(publicKey)), kid, x5t: kid, use: "sig", kty: "RSA", alg: "RS256" };
  return { kid, privateKey, publicKey, jwk };
}

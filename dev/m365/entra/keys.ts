import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, generateKeyPairSync, X509Certificate, type KeyObject } from "node:crypto";
import { exportJWK, type JWK } from "jose";

/** The tenant's token-signing key (RSA 2048, RS256), created once per simulator instance. */
export interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The key as JWKS lists it, without the per-request `issuer` (see `publishedKey`). */
  jwk: JWK;
}

/**
 * A self-signed certificate over the key, as Entra publishes its signing keys (`x5c`): validators that
 * check the certificate chain or pin the thumbprint need it. Made with the openssl CLI, which the
 * simulator's TLS set-up already needs.
 */
function selfSignedCertificate(privateKey: KeyObject): X509Certificate {
  const dir = mkdtempSync(join(tmpdir(), "m365-sim-key-"));
  try {
    const keyPath = join(dir, "key.pem");
    writeFileSync(keyPath, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const pem = execFileSync(
      "openssl",
      ["req", "-x509", "-new", "-key", keyPath, "-subj", "/CN=accounts.accesscontrol.windows.net"].concat([
        "-days",
        "1825",
        "-sha256",
      ]),
      { stdio: ["ignore", "pipe", "pipe"] },
    ).toString("utf8");
    return new X509Certificate(pem);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function createSigningKeys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const certificate = selfSignedCertificate(privateKey);
  // Entra's kid and x5t are the base64url SHA-1 thumbprint of the signing certificate.
  const kid = createHash("sha1").update(certificate.raw).digest("base64url");
  const jwk: JWK = {
    ...(await exportJWK(publicKey)),
    kty: "RSA",
    use: "sig",
    kid,
    x5t: kid,
    x5c: [certificate.raw.toString("base64")],
    alg: "RS256",
  };
  return { kid, privateKey, publicKey, jwk };
}

/**
 * The key as `{tenant}/discovery/v2.0/keys` lists it: with the v2.0 `issuer` of the tenant the keys
 * were asked for (`{tenantid}` for the multi-tenant endpoints) and the cloud instance's name.
 */
export function publishedKey(keys: SigningKeys, issuer: string, cloudInstanceName: string): JWK {
  return { ...keys.jwk, issuer, cloud_instance_name: cloudInstanceName } as JWK;
}

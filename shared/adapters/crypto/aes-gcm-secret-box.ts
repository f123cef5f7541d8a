import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { CookieSealer, SecretBox, Signer } from "../../app/ports/secret-box";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 8);
}

function keyFrom(base64: string, what: string): Buffer {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes`);
  return key;
}

/**
 * AES-256-GCM with a random 96-bit IV per value and the storage context as additional authenticated
 * data. Format: `v1.<key id>.<base64url(iv | tag | ciphertext)>`; the key id tells a rotated key apart.
 */
export class AesGcmSecretBox implements SecretBox {
  private readonly key: Buffer;
  private readonly kid: string;

  constructor(base64Key: string) {
    this.key = keyFrom(base64Key, "TOKEN_ENCRYPTION_KEY");
    this.kid = keyId(this.key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const packed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
    return `${VERSION}.${this.kid}.${packed}`;
  }

  open(sealed: string, context: string): string {
    const [version, kid, packed, ...rest] = sealed.split(".");
    if (version !== VERSION || packed === undefined || rest.length > 0) throw new Error("not a sealed value");
    if (kid !== this.kid) throw new Error("sealed with another key");
    const bytes = Buffer.from(packed, "base64url");
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error("sealed value too short");
    const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
  }
}

/** HMAC-SHA256 signatures: `<value>.<base64url mac>`, compared in constant time. */
export class HmacSigner implements Signer {
  private readonly key: Buffer;

  constructor(base64Key: string, purpose: string) {
    // One key per purpose, derived from SESSION_KEY, so a signature made for one cookie fits no other.
    this.key = createHmac("sha256", keyFrom(base64Key, "SESSION_KEY")).update(purpose).digest();
  }

  sign(value: string): string {
    return `${value}.${this.mac(value)}`;
  }

  verify(signed: string): string | undefined {
    const i = signed.lastIndexOf(".");
    if (i <= 0) return undefined;
    const value = signed.slice(0, i);
    const given = Buffer.from(signed.slice(i + 1), "base64url");
    const expected = Buffer.from(this.mac(value), "base64url");
    return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined;
  }

  private mac(value: string): string {
    return createHmac("sha256", this.key).update(value).digest("base64url");
  }
}

/** A random key as the settings want it (base64 of 32 bytes): the local stack's dev keys. */
export function generateKey(): string {
  return randomBytes(32).toString("base64");
}

/** A cookie's value sealed with the secret box, bound to the cookie's name as context. */
export class SecretBoxCookieSealer implements CookieSealer {
  constructor(
    private readonly box: SecretBox,
    private readonly cookieName: string,
  ) {}

  seal(value: string): string {
    return this.box.seal(value, `cookie/${this.cookieName}`);
  }

  open(sealed: string): string | undefined {
    try {
      return this.box.open(sealed, `cookie/${this.cookieName}`);
    } catch {
      return undefined;
    }
  }
}

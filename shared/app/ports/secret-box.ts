/**
 * Authenticated encryption of small secrets kept at rest (token caches, the client secret). `context`
 * binds a ciphertext to where it is stored (table and row), so a value copied elsewhere does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws when the value was tampered with, moved, or sealed with another key. */
  open(sealed: string, context: string): string;
}

/** Signs short values (cookie payloads) so that any change is detected. */
export interface Signer {
  sign(value: string): string;
  /** The value when the signature is valid, else undefined. */
  verify(signed: string): string | undefined;
}

/** Seals short values kept in a cookie: encrypted and authenticated, so the browser can neither read nor change them. */
export interface CookieSealer {
  seal(value: string): string;
  /** The value when it was sealed by this app for this cookie, else undefined. */
  open(sealed: string): string | undefined;
}

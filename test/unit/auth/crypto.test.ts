import { describe, expect, it } from "vitest";
import { AesGcmSecretBox, generateKey, HmacSigner } from "../../../shared/adapters/crypto/aes-gcm-secret-box";

describe("AES-256-GCM secret box", () => {
  const box = new AesGcmSecretBox(generateKey());

  it("round-trips and never shows the plaintext", () => {
    const sealed = box.seal("refresh-token-value", "tokenCache/u1/msal");
    expect(sealed).not.toContain("refresh-token-value");
    expect(sealed).toMatch(/^v1\.[\w-]{8}\.[\w-]+$/);
    expect(box.open(sealed, "tokenCache/u1/msal")).toBe("refresh-token-value");
  });

  it("uses a fresh IV each time", () => {
    expect(box.seal("same", "c")).not.toBe(box.seal("same", "c"));
  });

  it("refuses a value moved to another row (context is authenticated)", () => {
    const sealed = box.seal("secret", "tokenCache/u1/msal");
    expect(() => box.open(sealed, "tokenCache/u2/msal")).toThrow();
  });

  it("refuses any flipped bit", () => {
    const sealed = box.seal("secret", "c");
    const [v, kid, packed] = sealed.split(".") as [string, string, string];
    const bytes = Buffer.from(packed, "base64url");
    for (const i of [0, 13, bytes.length - 1]) {
      const copy = Buffer.from(bytes);
      copy[i] = (copy[i] ?? 0) ^ 1;
      expect(() => box.open(`${v}.${kid}.${copy.toString("base64url")}`, "c")).toThrow();
    }
  });

  it("refuses a value sealed with another key", () => {
    const other = new AesGcmSecretBox(generateKey());
    expect(() => box.open(other.seal("x", "c"), "c")).toThrow(/another key/);
  });

  it("wants a 32-byte key", () => {
    expect(() => new AesGcmSecretBox(Buffer.alloc(16).toString("base64"))).toThrow(/32 bytes/);
  });
});

describe("HMAC signer", () => {
  const key = generateKey();
  const session = new HmacSigner(key, "session");

  it("verifies its own signature and rejects tampering", () => {
    const signed = session.sign("abc");
    expect(session.verify(signed)).toBe("abc");
    expect(session.verify(signed.replace(/^abc/, "abd"))).toBeUndefined();
    expect(session.verify(`${signed}x`)).toBeUndefined();
    expect(session.verify("abc")).toBeUndefined();
    expect(session.verify("")).toBeUndefined();
  });

  it("keeps purposes apart and depends on the key", () => {
    const signIn = new HmacSigner(key, "sign-in");
    expect(signIn.verify(session.sign("abc"))).toBeUndefined();
    expect(new HmacSigner(generateKey(), "session").verify(session.sign("abc"))).toBeUndefined();
  });
});

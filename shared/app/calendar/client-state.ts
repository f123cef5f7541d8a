import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh clientState: 32 random bytes, base64url (43 characters, within Graph's 128). */
export function newClientState(): string {
  return randomBytes(32).toString("base64url");
}

/** What is stored of a clientState: its SHA-256, hex. */
export function hashClientState(clientState: string): string {
  return createHash("sha256").update(clientState, "utf8").digest("hex");
}

/** Whether `received` is the secret whose hash is `storedHash`, compared in constant time. */
export function clientStateMatches(received: string | null | undefined, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, "hex");
  const actual = createHash("sha256")
    .update(received ?? "", "utf8")
    .digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

import { createHash } from "node:crypto";

/** A stable GUID derived from a name (same input → same id), formatted like an Entra object id. */
export function stableGuid(namespace: string, name: string): string {
  const h = createHash("sha1").update(namespace).update("\u0000").update(name).digest("hex");
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

import { createHash } from "node:crypto";

/** Where in the interval a room is read: a fixed offset from its id, so rooms spread evenly. */
export function roomOffsetMs(roomId: string, spreadMs: number): number {
  if (spreadMs <= 0) return 0;
  const h = createHash("sha256").update(roomId).digest().readUInt32BE(0);
  return h % Math.floor(spreadMs);
}

import type { AddinRoom } from "./api";

/** The viewer's rooms in the order the pane shows them: their last building first, then by building, floor, name. */
export function orderRooms(rooms: readonly AddinRoom[], lastBuilding: string | undefined): AddinRoom[] {
  const key = (r: AddinRoom) =>
    [r.building === lastBuilding ? 0 : 1, r.building ?? "", r.floor ?? "", r.displayName] as const;
  return [...rooms].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] as string | number;
      const y = kb[i] as string | number;
      if (x !== y) return typeof x === "number" ? x - (y as number) : String(x).localeCompare(String(y));
    }
    return 0;
  });
}

/** Rooms ONES would refuse for this meeting by their own limits, with the limit that refuses them. */
export function policyConflict(
  room: AddinRoom,
  start: Date,
  end: Date,
): "too-short" | "too-long" | undefined {
  const minutes = (end.getTime() - start.getTime()) / 60_000;
  const p = room.policy;
  if (p?.minDurationMinutes !== undefined && minutes < p.minDurationMinutes) return "too-short";
  if (p?.maxDurationMinutes !== undefined && minutes > p.maxDurationMinutes) return "too-long";
  return undefined;
}

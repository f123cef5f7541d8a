import type { AddinRoom, RoomPolicySummary } from "./api";

/**
 * The rooms in the order the pane shows them: the viewer's last building first, then by building,
 * floor (by number where known) and name.
 */
export function orderRooms(rooms: readonly AddinRoom[], lastBuilding: string | undefined): AddinRoom[] {
  const key = (r: AddinRoom): readonly (string | number)[] => [
    r.building.name === lastBuilding ? 0 : 1,
    r.building.name,
    r.floor.number ?? Number.MAX_SAFE_INTEGER,
    r.floor.label ?? "",
    r.displayName,
  ];
  return [...rooms].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] ?? "";
      const y = kb[i] ?? "";
      if (x === y) continue;
      return typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    }
    return 0;
  });
}

/** The duration limit of a room's rules this meeting breaks, if any (ONES would refuse the hold). */
export function policyConflict(
  policy: RoomPolicySummary | undefined,
  start: Date,
  end: Date,
): "too-short" | "too-long" | undefined {
  const minutes = (end.getTime() - start.getTime()) / 60_000;
  if (policy?.minDurationMinutes != null && minutes < policy.minDurationMinutes) return "too-short";
  if (policy?.maxDurationMinutes != null && minutes > policy.maxDurationMinutes) return "too-long";
  return undefined;
}

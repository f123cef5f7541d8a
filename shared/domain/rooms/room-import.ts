/** Rooms an admin imports by e-mail address (delegated modes: no Place.Read.All). */
export interface RoomImportLine {
  readonly email: string;
  readonly displayName?: string;
  readonly building?: string;
  readonly floor?: string;
  readonly capacity?: number;
  readonly timeZone?: string;
  /** 1-based line in the CSV (or position in the list), for the per-room report. */
  readonly line: number;
}

export interface RoomImportProblem {
  readonly line: number;
  readonly email: string;
  readonly reason: "invalid-email" | "duplicate" | "invalid-capacity" | "invalid-time-zone";
}

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;

export function isEmailAddress(value: string): boolean {
  return EMAIL.test(value.trim());
}

/**
 * Parses the import CSV: `email[,displayName,building,floor,capacity,timeZone]`, one room a line; a
 * header line naming `email` is skipped; quotes allowed around fields. Bad lines are reported, not thrown.
 */
export function parseRoomCsv(
  text: string,
  isZone: (zone: string) => boolean,
): { lines: RoomImportLine[]; problems: RoomImportProblem[] } {
  const lines: RoomImportLine[] = [];
  const problems: RoomImportProblem[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const cells = splitCsvLine(raw);
    const email = (cells[0] ?? "").trim();
    if (index === 0 && email.toLowerCase() === "email") return;
    const [, displayName, building, floor, capacityText, timeZone] = cells.map((c) => c.trim());
    if (!isEmailAddress(email)) return problems.push({ line, email, reason: "invalid-email" });
    if (seen.has(email.toLowerCase())) return problems.push({ line, email, reason: "duplicate" });
    seen.add(email.toLowerCase());
    const capacity = capacityText === undefined || capacityText === "" ? undefined : Number(capacityText);
    if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 0)) {
      return problems.push({ line, email, reason: "invalid-capacity" });
    }
    if (timeZone !== undefined && timeZone !== "" && !isZone(timeZone)) {
      return problems.push({ line, email, reason: "invalid-time-zone" });
    }
    lines.push({
      email,
      line,
      ...(displayName ? { displayName } : {}),
      ...(building ? { building } : {}),
      ...(floor ? { floor } : {}),
      ...(capacity === undefined ? {} : { capacity }),
      ...(timeZone ? { timeZone } : {}),
    });
  });
  return { lines, problems };
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === "," || ch === ";") {
      cells.push(current);
      current = "";
    } else current += ch;
  }
  cells.push(current);
  return cells;
}

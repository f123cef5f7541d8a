import { toIanaZone } from "./time-zones";

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

/** One room of a structured import (`{email}` or `{rooms:[…]}`), before it is checked. */
export interface RoomImportRow {
  readonly email: string;
  readonly displayName?: string;
  readonly building?: string;
  readonly floor?: string;
  readonly capacity?: number | string;
  readonly timeZone?: string;
}

export interface RoomImportParse {
  readonly lines: RoomImportLine[];
  readonly problems: RoomImportProblem[];
}

/**
 * Parses the import CSV: `email[,displayName,building,floor,capacity,timeZone]`, one room a line; a
 * header line naming `email` is skipped; quotes allowed around fields. Bad lines are reported, not thrown.
 */
export function parseRoomCsv(text: string, isZone: (zone: string) => boolean = isKnownZone): RoomImportParse {
  const collect = collector(isZone);
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === "") return;
    const cells = splitCsvLine(raw).map((c) => c.trim());
    const [email = "", displayName, building, floor, capacity, timeZone] = cells;
    if (index === 0 && email.toLowerCase() === "email") return;
    collect.add(index + 1, { email, displayName, building, floor, capacity, timeZone });
  });
  return collect.result();
}

/**
 * Import lines from structured rows (a JSON list; `line` is the 1-based position), checked as the CSV
 * lines are: address, duplicates, capacity, time zone.
 */
export function importLinesFromRows(
  rows: readonly RoomImportRow[],
  isZone: (zone: string) => boolean = isKnownZone,
): RoomImportParse {
  const collect = collector(isZone);
  rows.forEach((row, index) =>
    collect.add(index + 1, {
      email: row.email.trim(),
      displayName: row.displayName?.trim(),
      building: row.building?.trim(),
      floor: row.floor?.trim(),
      capacity: typeof row.capacity === "string" ? row.capacity.trim() : row.capacity,
      timeZone: row.timeZone?.trim(),
    }),
  );
  return collect.result();
}

/** An IANA zone, or a Windows zone name ONES can map to one. */
export function isKnownZone(zone: string): boolean {
  return toIanaZone(zone) !== undefined;
}

interface RawRow {
  readonly email: string;
  readonly displayName?: string | undefined;
  readonly building?: string | undefined;
  readonly floor?: string | undefined;
  readonly capacity?: number | string | undefined;
  readonly timeZone?: string | undefined;
}

function collector(isZone: (zone: string) => boolean) {
  const lines: RoomImportLine[] = [];
  const problems: RoomImportProblem[] = [];
  const seen = new Set<string>();
  return {
    add(line: number, row: RawRow): void {
      const { email, displayName, building, floor, timeZone } = row;
      if (!isEmailAddress(email)) return void problems.push({ line, email, reason: "invalid-email" });
      if (seen.has(email.toLowerCase())) return void problems.push({ line, email, reason: "duplicate" });
      seen.add(email.toLowerCase());
      const capacity = row.capacity === undefined || row.capacity === "" ? undefined : Number(row.capacity);
      if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 0)) {
        return void problems.push({ line, email, reason: "invalid-capacity" });
      }
      if (timeZone !== undefined && timeZone !== "" && !isZone(timeZone)) {
        return void problems.push({ line, email, reason: "invalid-time-zone" });
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
    },
    result: (): RoomImportParse => ({ lines, problems }),
  };
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

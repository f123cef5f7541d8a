import { parse, CsvError } from "csv-parse/sync";
import { AppError } from "../errors";
import { floorIdOf, mailboxId, slug, type Room } from "./room";
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

/** The field separators a spreadsheet writes CSV with: `,`, or `;` where the decimal mark is a comma. */
export const csvDelimiters = { comma: ",", semicolon: ";" } as const;
export type CsvDelimiter = keyof typeof csvDelimiters;

/**
 * The separator of an import CSV when the admin did not choose one: the character that ends the first
 * field of the first line (outside quotes). That field is an address or the `email` header, which can
 * hold neither separator, so `r2@x.example;Aurora, floor 2` is read with `;` and a comma-separated
 * file whose names hold semicolons with `,`. A one-column file has none: comma. Only one is ever used.
 */
export function detectCsvDelimiter(text: string): CsvDelimiter {
  let quoted = false;
  for (const ch of text.replace(/^\uFEFF/, "").replace(/^(\s*\r?\n)+/, "")) {
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === ",") return "comma";
    else if (ch === ";") return "semicolon";
    else if (ch === "\n" || ch === "\r") break;
  }
  return "comma";
}

/**
 * Parses the import CSV as a spreadsheet saves it: `email[,displayName,building,floor,capacity,timeZone]`,
 * one room a row; a header row naming `email` is skipped; RFC 4180 quoting (separators, quotes and line
 * breaks inside quoted fields); a byte-order mark; CRLF or LF. Problems are reported per row (its number
 * as a spreadsheet shows it, header and blank rows counted), not thrown; a file that is not CSV at all
 * (an unclosed quote) is `validation-failed` naming the field `csv`.
 */
export function parseRoomCsv(
  text: string,
  options: { delimiter?: CsvDelimiter; isZone?: (zone: string) => boolean } = {},
): RoomImportParse {
  const collect = collector(options.isZone ?? isKnownZone);
  const delimiter = csvDelimiters[options.delimiter ?? detectCsvDelimiter(text)];
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const where = typeof error.lines === "number" ? ` (near line ${error.lines})` : "";
    throw new AppError("validation-failed", "The CSV could not be read.", {
      fields: [{ path: "csv", message: `Not valid CSV${where}: check the quotes.` }],
    });
  }
  records.forEach((cells, index) => {
    if (cells.every((c) => c === "")) return;
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

/**
 * The room an import line describes, over what ONES had stored for the mailbox. The building is the
 * line's, else the stored one, else "Unassigned"; the floor id is the building's id and the floor's
 * slug. The time zone, first that applies: the zone on the line (admin), a zone an admin set before,
 * the building's zone, the deployment's default.
 */
export function importedRoom(
  line: RoomImportLine,
  calendarOwner: string | undefined,
  previous: Room | undefined,
  buildingZones: ReadonlyMap<string, string>,
  defaultZone: string,
): Room {
  const buildingName = line.building ?? previous?.buildingName ?? "Unassigned";
  const buildingId = slug(buildingName);
  const floorLabel = line.floor ?? previous?.floorLabel ?? null;
  const zone = toIanaZone(line.timeZone);
  const buildingZone = buildingZones.get(buildingId);
  const timeZone =
    zone !== undefined
      ? { timeZone: zone, timeZoneSource: "admin" as const }
      : previous?.timeZoneSource === "admin"
        ? { timeZone: previous.timeZone, timeZoneSource: "admin" as const }
        : buildingZone !== undefined
          ? { timeZone: buildingZone, timeZoneSource: "building" as const }
          : { timeZone: defaultZone, timeZoneSource: "default" as const };
  return {
    id: mailboxId(line.email),
    email: line.email.trim(),
    displayName: line.displayName ?? previous?.displayName ?? calendarOwner ?? line.email.trim(),
    capacity: line.capacity ?? previous?.capacity ?? null,
    buildingId,
    buildingName,
    floorId: floorIdOf(buildingId, floorLabel),
    floorLabel,
    floorNumber: floorLabel !== null && /^-?\d+$/.test(floorLabel) ? Number(floorLabel) : null,
    wheelchairAccessible: previous?.wheelchairAccessible ?? false,
    bookable: true,
    tags: previous?.tags ?? [],
    devices: previous?.devices ?? [],
    roomListIds: previous?.roomListIds ?? [],
    ...timeZone,
    source: "import",
    active: true,
  };
}

import { WINDOWS_TO_IANA_MAP } from "windows-iana";
import { GraphError } from "../http/errors";

/**
 * Time zones as Outlook speaks them: Windows names ("W. Europe Standard Time") and IANA names
 * ("Europe/Amsterdam") are both accepted in `start.timeZone`, `Prefer: outlook.timezone` and mailbox
 * settings. Windows names map to their CLDR "001" (golden) IANA zone through the `windows-iana` table;
 * conversions use the IANA database built into Node (Intl). Unknown names fail as Graph does for an
 * invalid time zone.
 */
const WINDOWS_TO_IANA = new Map<string, string>(
  WINDOWS_TO_IANA_MAP.filter((e) => e.territory === "001" && e.iana[0] !== undefined).map((e) => [
    e.windowsName.toLowerCase(),
    e.iana[0] as string,
  ]),
);
// "UTC" stays "UTC" (CLDR's golden zone is Etc/UTC, the same zone); Outlook also shows the display name.
WINDOWS_TO_IANA.set("utc", "UTC");
WINDOWS_TO_IANA.set("coordinated universal time", "UTC");

const IANA_OK = new Map<string, boolean>();
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/** The IANA zone for a Windows or IANA name; throws 400 for an unknown one. */
export function ianaZone(name: string): string {
  const trimmed = name.trim();
  const win = WINDOWS_TO_IANA.get(trimmed.toLowerCase());
  if (win) return win;
  if (/^(etc\/)?(utc|gmt)$/i.test(trimmed)) return "UTC";
  let ok = IANA_OK.get(trimmed);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: trimmed });
      ok = true;
    } catch {
      ok = false;
    }
    IANA_OK.set(trimmed, ok);
  }
  if (!ok)
    throw new GraphError(
      400,
      "TimeZoneNotSupportedException",
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`,
    );
  return trimmed;
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    FORMATTERS.set(zone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** Offsets only change on quarter hours (UTC), so an offset holds for a whole 15-minute bucket. */
const BUCKET_MS = 900_000;
const OFFSETS = new Map<string, number>();

/** The zone's UTC offset (ms) at an instant, read from the IANA database through Intl. */
function offsetByIntl(ms: number, zone: string): number {
  const out: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms)))
    if (p.type !== "literal") out[p.type] = Number(p.value);
  const wall = Date.UTC(
    out.year ?? 1970,
    (out.month ?? 1) - 1,
    out.day ?? 1,
    out.hour ?? 0,
    out.minute ?? 0,
    out.second ?? 0,
  );
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The zone's UTC offset at an instant, cached per 15-minute bucket when the offset is the same at both
 * ends of the bucket (a bucket holding a transition is always computed exactly).
 */
function offsetAt(ms: number, zone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const key = `${zone}|${bucket}`;
  const cached = OFFSETS.get(key);
  if (cached !== undefined) return cached;
  const first = offsetByIntl(bucket * BUCKET_MS, zone);
  const last = offsetByIntl((bucket + 1) * BUCKET_MS - 1000, zone);
  if (first !== last) return offsetByIntl(ms, zone);
  if (OFFSETS.size > 200_000) OFFSETS.clear();
  OFFSETS.set(key, first);
  return first;
}

/** Wall-clock parts of an instant in a zone. */
export function partsInZone(ms: number, zoneName: string): LocalParts {
  const zone = ianaZone(zoneName);
  const d = new Date(zone === "UTC" ? ms : ms + offsetAt(ms, zone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

function partsAsUtc(p: LocalParts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms);
}

/** The instant of a wall-clock time in a zone (for a gap, the time just after; for an overlap, the first). */
export function localToUtc(p: LocalParts, zoneName: string): number {
  const zone = ianaZone(zoneName);
  const guess = partsAsUtc(p);
  if (zone === "UTC") return guess;
  let t = guess - (partsAsUtc(partsInZone(guess, zone)) - guess);
  const offset2 = partsAsUtc(partsInZone(t, zone)) - t;
  t = guess - offset2;
  return t;
}

const LOCAL_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses Graph's `dateTimeTimeZone`: `dateTime` is a wall-clock time in `timeZone` (an explicit offset
 * or Z in dateTime wins, as Graph accepts it). Throws 400 for a malformed value.
 */
export function parseDateTimeTimeZone(
  dt: { dateTime?: string | null; timeZone?: string | null } | null | undefined,
  what: string,
): { ms: number; zone: string } {
  const raw = dt?.dateTime;
  if (!raw)
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      `Your request can't be completed. The ${what} property is required.`,
    );
  const m = LOCAL_RE.exec(raw.trim());
  if (!m)
    throw new GraphError(
      400,
      "BadRequest",
      `Cannot convert the literal '${raw}' to the expected type 'Edm.String'.`,
    );
  const zone = dt?.timeZone && dt.timeZone.trim() !== "" ? dt.timeZone : "UTC";
  ianaZone(zone);
  const frac = (m[7] ?? "0").padEnd(3, "0").slice(0, 3);
  const parts: LocalParts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: Number(frac),
  };
  if (m[8]) {
    const off =
      m[8] === "Z"
        ? 0
        : (m[8].startsWith("-") ? -1 : 1) *
          (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) *
          60000;
    return { ms: partsAsUtc(parts) - off, zone };
  }
  return { ms: localToUtc(parts, zone), zone };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Graph's dateTime format: "2024-05-01T10:00:00.0000000" (seven fraction digits, no offset). */
export function formatLocal(ms: number, zoneName: string): string {
  const p = partsInZone(ms, zoneName);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${pad(p.ms, 3)}0000`;
}

/** A dateTimeTimeZone for an instant shown in `zoneName` (the name is echoed as given). */
export function dateTimeTimeZone(ms: number, zoneName: string): { dateTime: string; timeZone: string } {
  return { dateTime: formatLocal(ms, zoneName), timeZone: zoneName };
}

/** `Prefer: outlook.timezone="..."` → the zone name (validated), or undefined. */
export function preferredTimeZone(headers: Record<string, string>): string | undefined {
  const prefer = headers["prefer"];
  if (!prefer) return undefined;
  const m =
    /outlook\.timezone\s*=\s*"([^"]*)"/i.exec(prefer) ?? /outlook\.timezone\s*=\s*([^,;\s]+)/i.exec(prefer);
  if (!m || !m[1]) return undefined;
  ianaZone(m[1]);
  return m[1];
}

/** Parses an ISO 8601 instant as used in query strings (startDateTime=...); no offset = UTC. */
export function parseQueryInstant(raw: string | null, name: string): number {
  if (!raw) {
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      `This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.`,
    );
  }
  const m = LOCAL_RE.exec(raw.trim());
  if (!m)
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      `The value '${raw}' of parameter '${name}' is invalid.`,
    );
  const hasOffset = Boolean(m[8]);
  const ms = Date.parse(hasOffset ? raw.trim() : `${raw.trim()}Z`);
  if (Number.isNaN(ms))
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      `The value '${raw}' of parameter '${name}' is invalid.`,
    );
  return ms;
}

import type { StoredEvent } from "../store/calendars";
import { expandRecurrence } from "./recurrence";

/**
 * What a calendar read returns: a stored event (single, master or exception) or a virtual occurrence
 * of a series (expanded from the master on read).
 */
export interface EventView {
  /** The stored event: itself, or the master of a virtual occurrence. */
  ev: StoredEvent;
  /** Set for virtual occurrences: the occurrence's (original) start. */
  occurrenceStartMs?: number;
}

const OCC_PREFIX = "AAMkOC";

/** Occurrence ids are per mailbox (derived from the copy's master id) and opaque to clients. */
export function occurrenceId(masterId: string, originalStartMs: number): string {
  return `${OCC_PREFIX}${Buffer.from(`${masterId}|${originalStartMs}`).toString("base64url")}=`;
}

export function parseOccurrenceId(id: string): { masterId: string; originalStartMs: number } | undefined {
  if (!id.startsWith(OCC_PREFIX)) return undefined;
  const raw = Buffer.from(id.slice(OCC_PREFIX.length).replace(/=+$/, ""), "base64url").toString("utf8");
  const i = raw.lastIndexOf("|");
  if (i < 0) return undefined;
  const ms = Number(raw.slice(i + 1));
  return Number.isFinite(ms) ? { masterId: raw.slice(0, i), originalStartMs: ms } : undefined;
}

/**
 * Exchange embeds the instance date in an occurrence's global object id, so the iCalUId differs per
 * occurrence but is the same in every copy of the meeting.
 */
export function occurrenceUid(uid: string, originalStartMs: number): string {
  const d = new Date(originalStartMs);
  const date =
    `${d.getUTCFullYear().toString(16).padStart(4, "0")}${(d.getUTCMonth() + 1).toString(16).padStart(2, "0")}${d.getUTCDate().toString(16).padStart(2, "0")}`.toUpperCase();
  return uid.length >= 40 ? `${uid.slice(0, 32)}${date}${uid.slice(40)}` : `${uid}-${date}`;
}

export function viewId(v: EventView): string {
  return v.occurrenceStartMs === undefined ? v.ev.id : occurrenceId(v.ev.id, v.occurrenceStartMs);
}

export function viewStart(v: EventView): number {
  return v.occurrenceStartMs ?? v.ev.startMs;
}

export function viewEnd(v: EventView): number {
  return v.occurrenceStartMs === undefined ? v.ev.endMs : v.occurrenceStartMs + (v.ev.endMs - v.ev.startMs);
}

/** Original starts of a master's occurrences in [from, to) (by start), deleted ones excluded. */
export function occurrenceStarts(master: StoredEvent, from: number, to: number): number[] {
  if (!master.recurrence) return [];
  return expandRecurrence(master.recurrence, master.startMs, master.startZone, from, to).filter(
    (s) => !master.cancelledOccurrences.has(s),
  );
}

/**
 * The instances (singles, occurrences, exceptions) of a stored master or single that overlap
 * [from, to). Exceptions are looked up in `events`.
 */
export function instancesOf(
  ev: StoredEvent,
  events: Map<string, StoredEvent>,
  from: number,
  to: number,
): EventView[] {
  if (ev.deleted) return [];
  if (ev.type === "singleInstance") return ev.startMs < to && ev.endMs > from ? [{ ev }] : [];
  if (ev.type === "exception") return [];
  const out: EventView[] = [];
  const duration = ev.endMs - ev.startMs;
  // Occurrences overlapping the window start before `to` and after `from - duration`.
  for (const s of occurrenceStarts(ev, from - duration, to)) {
    const excId = ev.exceptions.get(s);
    const exc = excId ? events.get(excId) : undefined;
    if (exc && !exc.deleted) continue;
    if (s + duration > from) out.push({ ev, occurrenceStartMs: s });
  }
  for (const [orig, excId] of ev.exceptions) {
    const exc = events.get(excId);
    if (!exc || exc.deleted || ev.cancelledOccurrences.has(orig)) continue;
    if (exc.startMs < to && exc.endMs > from) out.push({ ev: exc });
  }
  return out.sort((a, b) => viewStart(a) - viewStart(b));
}

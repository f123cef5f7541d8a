import type { Event } from "@microsoft/microsoft-graph-types";
import type { StoredEvent } from "../store/calendars";
import { dateTimeTimeZone } from "./time-zones";
import { occurrenceUid, viewEnd, viewId, viewStart, type EventView } from "./views";

/** Graph's "no response yet" time. */
export const NO_TIME = "0001-01-01T00:00:00Z";

/** Event properties (v1.0 metadata), for `$select` validation. */
export const EVENT_PROPERTIES = [
  "allowNewTimeProposals",
  "attendees",
  "body",
  "bodyPreview",
  "cancelledOccurrences",
  "categories",
  "changeKey",
  "createdDateTime",
  "end",
  "hasAttachments",
  "hideAttendees",
  "iCalUId",
  "id",
  "importance",
  "isAllDay",
  "isCancelled",
  "isDraft",
  "isOnlineMeeting",
  "isOrganizer",
  "isReminderOn",
  "lastModifiedDateTime",
  "location",
  "locations",
  "onlineMeeting",
  "onlineMeetingProvider",
  "onlineMeetingUrl",
  "organizer",
  "originalEndTimeZone",
  "originalStart",
  "originalStartTimeZone",
  "recurrence",
  "reminderMinutesBeforeStart",
  "responseRequested",
  "responseStatus",
  "sensitivity",
  "seriesMasterId",
  "showAs",
  "start",
  "subject",
  "transactionId",
  "type",
  "webLink",
] as const;

export function etagOf(changeKey: string): string {
  return `W/"${changeKey}"`;
}

function bodyPreview(content: string | null | undefined): string {
  return (content ?? "")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 255);
}

export interface RenderOptions {
  /** Output zone (`Prefer: outlook.timezone`), default "UTC". */
  zone: string;
  /** Zone of `end` when it differs from `zone` (a write's answer uses the event's own two zones). */
  endZone?: string;
  /** `$select` (canonical names), or undefined for all. */
  select?: string[];
  /** `$expand=singleValueExtendedProperties($filter=id eq '...')`: ids to include (lower-case), or "all". */
  extendedProperties?: string[] | "all";
}

/** An event as Graph returns it, in the requested time zone. */
export function renderEvent(v: EventView, opts: RenderOptions): Event & Record<string, unknown> {
  const ev: StoredEvent = v.ev;
  const isOcc = v.occurrenceStartMs !== undefined;
  const type = isOcc ? "occurrence" : ev.type;
  const originalStartMs = isOcc ? v.occurrenceStartMs : ev.originalStartMs;
  const full: Event & Record<string, unknown> = {
    "@odata.etag": etagOf(ev.changeKey),
    id: viewId(v),
    createdDateTime: new Date(ev.createdMs).toISOString(),
    lastModifiedDateTime: new Date(ev.modifiedMs).toISOString(),
    changeKey: ev.changeKey,
    categories: [...ev.categories],
    ...(ev.transactionId !== undefined && !isOcc ? { transactionId: ev.transactionId } : {}),
    originalStartTimeZone: ev.startZone,
    originalEndTimeZone: ev.endZone,
    iCalUId: originalStartMs !== undefined ? occurrenceUid(ev.uid, originalStartMs) : ev.uid,
    reminderMinutesBeforeStart: ev.reminderMinutesBeforeStart,
    isReminderOn: ev.isReminderOn,
    hasAttachments: false,
    subject: ev.subject,
    bodyPreview: bodyPreview(ev.body.content),
    importance: ev.importance,
    sensitivity: ev.sensitivity,
    isAllDay: ev.isAllDay,
    isCancelled: ev.isCancelled,
    isOrganizer: ev.isOrganizer,
    responseRequested: ev.responseRequested,
    seriesMasterId: isOcc ? ev.id : (ev.seriesMasterId ?? null),
    showAs: ev.showAs,
    type,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(viewId(v))}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: ev.isOnlineMeeting,
    onlineMeetingProvider: ev.onlineMeetingProvider,
    allowNewTimeProposals: ev.allowNewTimeProposals,
    isDraft: false,
    hideAttendees: ev.hideAttendees,
    ...(originalStartMs !== undefined ? { originalStart: new Date(originalStartMs).toISOString() } : {}),
    ...(type === "seriesMaster"
      ? {
          cancelledOccurrences: [...ev.cancelledOccurrences]
            .sort((a, b) => a - b)
            .map((ms) => cancelledOccurrenceId(ev, ms)),
        }
      : {}),
    responseStatus: {
      response: ev.response,
      time: ev.responseTimeMs ? new Date(ev.responseTimeMs).toISOString() : NO_TIME,
    },
    body: { contentType: ev.body.contentType ?? "text", content: ev.body.content ?? "" },
    start: dateTimeTimeZone(viewStart(v), opts.zone),
    end: dateTimeTimeZone(viewEnd(v), opts.endZone ?? opts.zone),
    location: structuredClone(ev.location),
    locations: structuredClone(ev.locations),
    recurrence: type === "seriesMaster" && ev.recurrence ? structuredClone(ev.recurrence) : null,
    attendees: structuredClone(ev.attendees),
    organizer: structuredClone(ev.organizer),
    onlineMeeting: ev.onlineMeeting
      ? { joinUrl: ev.onlineMeeting.joinUrl, conferenceId: ev.onlineMeeting.conferenceId }
      : null,
  };
  let out: Event & Record<string, unknown> = full;
  if (opts.select) {
    out = { "@odata.etag": full["@odata.etag"], id: full.id };
    for (const k of opts.select) out[k] = full[k] ?? null;
  }
  if (opts.extendedProperties) {
    const want = opts.extendedProperties;
    const props = [...ev.extendedProperties.values()].filter(
      (p) => want === "all" || want.includes(p.id.toLowerCase()),
    );
    // Graph omits the navigation property when the filter matches nothing.
    if (props.length > 0)
      out.singleValueExtendedProperties = props.map((p) => ({ id: p.id, value: p.value }));
  }
  return out;
}

/**
 * `cancelledOccurrences` entries: Graph documents them as "OccurrenceId" strings naming the master and
 * the occurrence date; the exact format is undocumented, so the simulator uses
 * "OID.{masterId}.{yyyy-MM-dd}" (the date of the original start in the series' zone is not needed here).
 */
export function cancelledOccurrenceId(master: StoredEvent, originalStartMs: number): string {
  return `OID.${master.id}.${new Date(originalStartMs).toISOString().slice(0, 10)}`;
}

import { createHash } from "node:crypto";
import type { Attendee, Location, PatternedRecurrence, Recipient } from "@microsoft/microsoft-graph-types";
import { perSimulator, type SimulatorServices } from "../services";
import type { UserRecord } from "../store/types";
import { GraphError } from "../http/errors";
import {
  calendarsOf,
  emitCalendarChange,
  type CalendarProcessing,
  type CalendarStore,
  type MailboxCalendar,
  type MeetingMessage,
  type ResponseKind,
  type StoredEvent,
} from "../store/calendars";
import { parseDateTimeTimeZone, ianaZone } from "./time-zones";
import { validateRecurrence } from "./recurrence";
import { etagOf, NO_TIME } from "./shapes";
import {
  instancesOf,
  occurrenceId,
  occurrenceStarts,
  parseOccurrenceId,
  viewEnd,
  viewStart,
  type EventView,
} from "./views";

/**
 * The calendar engine behind the Graph routes and the control API: event CRUD in one mailbox, the
 * copies a meeting has in its attendees' mailboxes (shared iCalUId, own ids), the resource booking
 * attendant of room mailboxes (Set-CalendarProcessing), responses and cancellation.
 *
 * Exchange processes meeting requests asynchronously (seconds); the simulator does it synchronously
 * inside the organizer's request, so the room's answer is visible on the very next read. That is
 * the most convenient of the orders Exchange can produce, and clients must cope with it anyway.
 */

const DAY = 86_400_000;

const RESPONSE_MESSAGES: Partial<Record<ResponseKind, MeetingMessage["kind"]>> = {
  accepted: "meetingAccepted",
  tentativelyAccepted: "meetingTentativelyAccepted",
  declined: "meetingDeclined",
};

export type EventInput = Record<string, unknown>;

/** What an attendee's copy of a single or series takes over from the organizer's item on each update. */
const MIRRORED_FIELDS = [
  "subject",
  "body",
  "startMs",
  "endMs",
  "startZone",
  "endZone",
  "isAllDay",
  "location",
  "locations",
  "attendees",
  "sensitivity",
  "importance",
  "type",
  "recurrence",
  "hideAttendees",
  "isOnlineMeeting",
  "onlineMeetingProvider",
  "onlineMeeting",
  "allowNewTimeProposals",
  "organizer",
] as const satisfies ReadonlyArray<keyof StoredEvent>;

/** What an attendee's copy of an exception takes over from the organizer's exception. */
const MIRRORED_EXCEPTION_FIELDS = [
  "subject",
  "body",
  "startMs",
  "endMs",
  "startZone",
  "endZone",
  "location",
  "locations",
  "attendees",
  "sensitivity",
  "importance",
  "isAllDay",
] as const satisfies ReadonlyArray<keyof StoredEvent>;

/** Deep-copies `fields` of `from` onto `to`. */
function cloneFields(to: StoredEvent, from: StoredEvent, fields: ReadonlyArray<keyof StoredEvent>): void {
  for (const k of fields) (to as unknown as Record<string, unknown>)[k] = structuredClone(from[k]);
}

const PATCHABLE = new Set([
  "subject",
  "body",
  "start",
  "end",
  "location",
  "locations",
  "attendees",
  "showAs",
  "sensitivity",
  "importance",
  "categories",
  "isAllDay",
  "isReminderOn",
  "reminderMinutesBeforeStart",
  "responseRequested",
  "allowNewTimeProposals",
  "isOnlineMeeting",
  "hideAttendees",
  "recurrence",
  "singleValueExtendedProperties",
  "transactionId",
  "onlineMeetingProvider",
]);
const READ_ONLY = new Set([
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "iCalUId",
  "type",
  "seriesMasterId",
  "isOrganizer",
  "organizer",
  "webLink",
  "originalStart",
  "responseStatus",
  "isCancelled",
  "bodyPreview",
  "hasAttachments",
  "cancelledOccurrences",
  "@odata.etag",
  "@odata.type",
  "originalStartTimeZone",
  "originalEndTimeZone",
  "isDraft",
  "onlineMeeting",
  "onlineMeetingUrl",
  "uid",
]);

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function recipientOf(user: UserRecord): Recipient {
  return {
    emailAddress: { name: user.data.displayName, address: user.data.mail ?? user.data.userPrincipalName },
  };
}

function addressOf(r: { emailAddress?: { address?: string | null } | null } | null | undefined): string {
  return (r?.emailAddress?.address ?? "").toLowerCase();
}

export class CalendarService {
  constructor(private readonly sim: SimulatorServices) {}

  get cal(): CalendarStore {
    return calendarsOf(this.sim.store);
  }

  private now(): number {
    return this.sim.clock.now();
  }

  mailbox(id: string): MailboxCalendar {
    return this.cal.mailbox(id);
  }

  // ------------------------------------------------------------------ lookups

  /** A readable instance by id (stored event or virtual occurrence) in a mailbox; 404 otherwise. */
  resolve(mailboxId: string, id: string): EventView {
    const box = this.mailbox(mailboxId);
    const ev = box.events.get(id);
    if (ev && !ev.deleted) return { ev };
    const occ = parseOccurrenceId(id);
    if (occ) {
      const master = box.events.get(occ.masterId);
      if (master && !master.deleted && master.type === "seriesMaster") {
        const excId = master.exceptions.get(occ.originalStartMs);
        const exc = excId ? box.events.get(excId) : undefined;
        if (exc && !exc.deleted) return { ev: exc };
        if (
          !master.cancelledOccurrences.has(occ.originalStartMs) &&
          occurrenceStarts(master, occ.originalStartMs, occ.originalStartMs + 1).length === 1
        ) {
          return { ev: master, occurrenceStartMs: occ.originalStartMs };
        }
      }
    }
    throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  }

  /** Live singles and masters of a mailbox (what /events lists). */
  listEvents(mailboxId: string): StoredEvent[] {
    return [...this.mailbox(mailboxId).events.values()].filter((e) => !e.deleted && e.type !== "exception");
  }

  /** Instances overlapping [from, to) (what /calendarView lists), sorted by start. */
  calendarView(mailboxId: string, from: number, to: number): EventView[] {
    const box = this.mailbox(mailboxId);
    const out: EventView[] = [];
    for (const ev of box.events.values()) out.push(...instancesOf(ev, box.events, from, to));
    return out.sort((a, b) => viewStart(a) - viewStart(b) || viewEnd(a) - viewEnd(b));
  }

  findCopy(mailboxId: string, uid: string): StoredEvent | undefined {
    return this.cal.copiesOf(uid).find((e) => e.mailboxId === mailboxId);
  }

  private master(v: StoredEvent): StoredEvent {
    if (v.type !== "exception" || !v.seriesMasterId) return v;
    return this.mailbox(v.mailboxId).events.get(v.seriesMasterId) ?? v;
  }

  // ------------------------------------------------------------------ writes

  private touch(ev: StoredEvent, changeType: "created" | "updated" | "deleted"): void {
    const box = this.mailbox(ev.mailboxId);
    ev.changeKey = this.cal.newChangeKey();
    ev.modifiedMs = this.now();
    ev.changeSeq = ++box.seq;
    emitCalendarChange(this.sim.store, {
      mailboxId: ev.mailboxId,
      eventId: ev.id,
      changeType,
      changeKey: ev.changeKey,
    });
  }

  private put(ev: StoredEvent): void {
    this.cal.addEvent(ev);
    this.touch(ev, "created");
  }

  private tombstone(ev: StoredEvent): void {
    if (ev.deleted) return;
    ev.deleted = true;
    const box = this.mailbox(ev.mailboxId);
    if (ev.transactionId !== undefined && box.transactions.get(ev.transactionId) === ev.id)
      box.transactions.delete(ev.transactionId);
    for (const excId of ev.exceptions.values()) {
      const exc = box.events.get(excId);
      if (exc && !exc.deleted) {
        exc.deleted = true;
        this.touch(exc, "deleted");
      }
    }
    this.touch(ev, "deleted");
  }

  /** POST /users/{id}/events. Returns the event and whether it was created (false = transactionId replay). */
  create(owner: UserRecord, input: EventInput): { ev: StoredEvent; created: boolean } {
    const box = this.mailbox(owner.id);
    const transactionId = str(input.transactionId);
    if (transactionId !== undefined) {
      // Graph documents no de-duplication window; the simulator keeps the mapping while the event exists.
      const existing = box.transactions.get(transactionId);
      const ev = existing ? box.events.get(existing) : undefined;
      if (ev && !ev.deleted) return { ev, created: false };
    }
    for (const k of Object.keys(input)) {
      if (!PATCHABLE.has(k) && !READ_ONLY.has(k) && !k.startsWith("@odata")) {
        throw new GraphError(
          400,
          "RequestBodyRead",
          `The property '${k}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        );
      }
    }
    const now = this.now();
    const id = this.cal.newEventId(owner.id);
    const ev: StoredEvent = {
      id,
      mailboxId: owner.id,
      uid: this.cal.newUid(),
      type: "singleInstance",
      startMs: 0,
      endMs: 0,
      startZone: "UTC",
      endZone: "UTC",
      isAllDay: false,
      subject: "",
      body: { contentType: "html", content: "" },
      location: { displayName: "", locationType: "default", uniqueIdType: "unknown" },
      locations: [],
      attendees: [],
      organizer: recipientOf(owner),
      isOrganizer: true,
      response: "organizer",
      responseTimeMs: undefined,
      showAs: "busy",
      sensitivity: "normal",
      importance: "normal",
      isCancelled: false,
      categories: [],
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      responseRequested: true,
      allowNewTimeProposals: true,
      isOnlineMeeting: false,
      onlineMeetingProvider: "unknown",
      hideAttendees: false,
      cancelledOccurrences: new Set(),
      exceptions: new Map(),
      extendedProperties: new Map(),
      transactionId,
      createdMs: now,
      modifiedMs: now,
      changeKey: "",
      changeSeq: 0,
      deleted: false,
    };
    if (!input.start || !input.end) {
      throw new GraphError(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. An event must have a start and an end.",
      );
    }
    this.applyFields(ev, input, true);
    if (transactionId !== undefined) box.transactions.set(transactionId, id);
    this.put(ev);
    this.syncCopies(ev);
    return { ev, created: true };
  }

  /** Writes the client-settable fields of `input` onto `ev` (create and PATCH). */
  private applyFields(ev: StoredEvent, input: EventInput, creating: boolean): void {
    if (!creating && input.transactionId !== undefined && input.transactionId !== ev.transactionId) {
      // Documented: "you can't change transactionId in a subsequent update"; the error wording is not.
      throw new GraphError(
        400,
        "ErrorInvalidPropertyUpdate",
        "The transactionId property can't be changed after the event was created.",
      );
    }
    if (input.subject !== undefined) ev.subject = str(input.subject) ?? "";
    if (input.body !== undefined) {
      const b = (input.body ?? {}) as { contentType?: string; content?: string };
      ev.body = {
        contentType: b.contentType?.toLowerCase() === "text" ? "text" : "html",
        content: b.content ?? "",
      };
    }
    if (input.start !== undefined || input.end !== undefined) {
      const start =
        input.start !== undefined
          ? parseDateTimeTimeZone(input.start, "Start")
          : { ms: ev.startMs, zone: ev.startZone };
      const end =
        input.end !== undefined
          ? parseDateTimeTimeZone(input.end, "End")
          : { ms: ev.endMs, zone: ev.endZone };
      if (end.ms < start.ms)
        throw new GraphError(
          400,
          "ErrorInvalidRequest",
          "Your request can't be completed. The end time of the event must be later than or equal to its start time.",
        );
      ev.startMs = start.ms;
      ev.endMs = end.ms;
      ev.startZone = start.zone;
      ev.endZone = end.zone;
    }
    if (input.location !== undefined) ev.location = normaliseLocation(input.location);
    if (input.locations !== undefined)
      ev.locations = ((input.locations as Location[] | null) ?? []).map((l) => normaliseLocation(l));
    if (input.location !== undefined && input.locations === undefined)
      ev.locations = ev.location.displayName ? [structuredClone(ev.location)] : [];
    if (input.locations !== undefined && input.location === undefined)
      ev.location = ev.locations[0] ? structuredClone(ev.locations[0]) : normaliseLocation(null);
    if (input.attendees !== undefined) ev.attendees = this.normaliseAttendees(input.attendees, ev);
    for (const k of ["showAs", "sensitivity", "importance"] as const) {
      const v = input[k];
      if (v !== undefined) {
        const allowed = {
          showAs: ["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"],
          sensitivity: ["normal", "personal", "private", "confidential"],
          importance: ["low", "normal", "high"],
        }[k];
        if (typeof v !== "string" || !allowed.includes(v))
          throw new GraphError(
            400,
            "BadRequest",
            `Requested value '${typeof v === "string" ? v : JSON.stringify(v)}' was not found.`,
          );
        (ev as unknown as Record<string, unknown>)[k] = v;
      }
    }
    for (const k of [
      "isAllDay",
      "isReminderOn",
      "responseRequested",
      "allowNewTimeProposals",
      "hideAttendees",
    ] as const) {
      if (typeof input[k] === "boolean") ev[k] = input[k];
    }
    this.applyOnlineMeeting(ev, input);
    if (typeof input.reminderMinutesBeforeStart === "number")
      ev.reminderMinutesBeforeStart = input.reminderMinutesBeforeStart;
    if (Array.isArray(input.categories)) ev.categories = input.categories.map(String);
    if (ev.isAllDay && creating) {
      const startMidnight =
        new Date(ev.startMs).toISOString().endsWith("T00:00:00.000Z") || ev.startZone !== "UTC";
      if (!startMidnight)
        throw new GraphError(
          400,
          "ErrorInvalidRequest",
          "Your request can't be completed. All-day events must start and end at midnight.",
        );
    }
    if (input.recurrence !== undefined) {
      if (ev.type === "exception")
        throw new GraphError(
          400,
          "ErrorInvalidRequest",
          "Your request can't be completed. The recurrence of an occurrence can't be changed.",
        );
      if (input.recurrence === null) {
        if (ev.type === "seriesMaster") {
          ev.type = "singleInstance";
          ev.recurrence = undefined;
        }
      } else {
        const r = structuredClone(input.recurrence) as PatternedRecurrence;
        validateRecurrence(r);
        if (r.range?.recurrenceTimeZone) ianaZone(r.range.recurrenceTimeZone);
        r.pattern = {
          type: r.pattern?.type,
          interval: r.pattern?.interval ?? 1,
          month: r.pattern?.month ?? 0,
          dayOfMonth: r.pattern?.dayOfMonth ?? 0,
          daysOfWeek: r.pattern?.daysOfWeek ?? [],
          firstDayOfWeek: r.pattern?.firstDayOfWeek ?? "sunday",
          index: r.pattern?.index ?? "first",
        };
        r.range = {
          type: r.range?.type,
          startDate: r.range?.startDate,
          endDate: r.range?.endDate ?? "0001-01-01",
          recurrenceTimeZone: r.range?.recurrenceTimeZone ?? ev.startZone,
          numberOfOccurrences: r.range?.numberOfOccurrences ?? 0,
        };
        ev.recurrence = r;
        ev.type = "seriesMaster";
      }
    }
    if (input.singleValueExtendedProperties !== undefined) {
      for (const p of (input.singleValueExtendedProperties as Array<{
        id?: string;
        value?: string;
      }> | null) ?? []) {
        if (
          !p.id ||
          !/^(String|Integer|Boolean|SystemTime|Binary|Double|Long|Short|Float|Currency|CLSID)\s+(\{[0-9a-f-]{36}\}\s+(Name|Id)\s+\S.*|0x[0-9a-f]{1,4})$/i.test(
            p.id,
          )
        ) {
          throw new GraphError(
            400,
            "ErrorInvalidProperty",
            `The extended property id '${p.id ?? ""}' is not valid.`,
          );
        }
        ev.extendedProperties.set(p.id.toLowerCase(), { id: p.id, value: String(p.value ?? "") });
      }
    }
  }

  /**
   * isOnlineMeeting / onlineMeetingProvider. Documented: "After you set isOnlineMeeting to true,
   * Microsoft Graph initializes onlineMeeting. Subsequently, Outlook ignores any further changes to
   * isOnlineMeeting, and the meeting remains available online." Without a provider the meeting gets
   * Teams (the default provider of a Teams-enabled mailbox; the simulator's choice).
   */
  private applyOnlineMeeting(ev: StoredEvent, input: EventInput): void {
    const provider = input.onlineMeetingProvider;
    if (provider !== undefined && !ev.onlineMeeting) {
      const allowed = ["unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer"];
      if (typeof provider !== "string" || !allowed.includes(provider))
        throw new GraphError(
          400,
          "BadRequest",
          `Requested value '${typeof provider === "string" ? provider : JSON.stringify(provider)}' was not found.`,
        );
      ev.onlineMeetingProvider = provider as StoredEvent["onlineMeetingProvider"];
    }
    if (input.isOnlineMeeting === true && !ev.onlineMeeting) {
      ev.isOnlineMeeting = true;
      if (ev.onlineMeetingProvider === "unknown") ev.onlineMeetingProvider = "teamsForBusiness";
      const h = createHash("sha256").update(`${this.sim.store.tenantId}/${ev.uid}`).digest();
      const thread = h.subarray(0, 24).toString("base64url");
      const context = encodeURIComponent(JSON.stringify({ Tid: this.sim.store.tenantId, Oid: ev.mailboxId }));
      ev.onlineMeeting = {
        joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${thread}%40thread.v2/0?context=${context}`,
        conferenceId: String(h.readUInt32BE(24) % 1_000_000_000).padStart(9, "0"),
      };
    }
  }

  private normaliseAttendees(raw: unknown, ev: StoredEvent): Attendee[] {
    if (!Array.isArray(raw))
      throw new GraphError(400, "BadRequest", "The attendees property must be a collection.");
    if (raw.length > 500)
      throw new GraphError(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. An event can have at most 500 attendees.",
      );
    const previous = new Map(ev.attendees.map((a) => [addressOf(a), a]));
    return raw.map((a: Attendee) => {
      const address = a.emailAddress?.address;
      if (!address)
        throw new GraphError(
          400,
          "ErrorInvalidRecipients",
          "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
        );
      const user = this.sim.store.findUser(address);
      const type = a.type ?? "required";
      if (!["required", "optional", "resource"].includes(type))
        throw new GraphError(400, "BadRequest", `Requested value '${type}' was not found.`);
      const prev = previous.get(address.toLowerCase());
      return {
        type,
        status: prev?.status ? structuredClone(prev.status) : { response: "none", time: NO_TIME },
        emailAddress: { name: a.emailAddress?.name ?? user?.data.displayName ?? address, address },
      };
    });
  }

  /** PATCH on an event or occurrence (If-Match checked by the caller's etag). */
  update(owner: UserRecord, id: string, input: EventInput, ifMatch?: string): StoredEvent {
    let view = this.resolve(owner.id, id);
    if (ifMatch && ifMatch !== "*" && ifMatch !== etagOf(view.ev.changeKey)) {
      throw new GraphError(
        412,
        "ErrorIrresolvableConflict",
        "The change key passed in the request does not match the current change key for the item.",
      );
    }
    for (const k of Object.keys(input)) {
      if (k.startsWith("@odata")) continue;
      if (!PATCHABLE.has(k)) {
        if (READ_ONLY.has(k)) continue;
        throw new GraphError(
          400,
          "RequestBodyRead",
          `The property '${k}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        );
      }
    }
    if (view.occurrenceStartMs !== undefined)
      view = { ev: this.materialiseException(view.ev, view.occurrenceStartMs) };
    const ev = view.ev;
    this.applyFields(ev, input, false);
    const master = this.master(ev);
    if (ev.type === "seriesMaster" && (input.start !== undefined || input.recurrence !== undefined)) {
      // Changing a series' pattern or time discards its exceptions, as Outlook does.
      const box = this.mailbox(ev.mailboxId);
      for (const excId of ev.exceptions.values()) {
        const exc = box.events.get(excId);
        if (exc && !exc.deleted) {
          exc.deleted = true;
          this.touch(exc, "deleted");
        }
      }
      ev.exceptions.clear();
    }
    this.touch(ev, "updated");
    if (master !== ev) this.touch(master, "updated");
    const timeChanged =
      input.start !== undefined || input.end !== undefined || input.recurrence !== undefined;
    if (master.isOrganizer)
      this.syncCopies(master, timeChanged, ev.type === "exception" ? ev.originalStartMs : undefined);
    return ev;
  }

  private materialiseException(master: StoredEvent, originalStartMs: number): StoredEvent {
    const duration = master.endMs - master.startMs;
    const exc: StoredEvent = {
      ...structuredClone({
        ...master,
        cancelledOccurrences: undefined,
        exceptions: undefined,
        extendedProperties: undefined,
        recurrence: undefined,
      }),
      id: occurrenceId(master.id, originalStartMs),
      type: "exception",
      seriesMasterId: master.id,
      originalStartMs,
      startMs: originalStartMs,
      endMs: originalStartMs + duration,
      recurrence: undefined,
      cancelledOccurrences: new Set(),
      exceptions: new Map(),
      extendedProperties: new Map([...master.extendedProperties].map(([k, v]) => [k, { ...v }])),
      transactionId: undefined,
      createdMs: this.now(),
      deleted: false,
    };
    master.exceptions.set(originalStartMs, exc.id);
    this.cal.addEvent(exc);
    return exc;
  }

  /** DELETE: an organizer's delete of a meeting cancels it for the attendees. */
  delete(owner: UserRecord, id: string): void {
    const view = this.resolve(owner.id, id);
    this.removeInstance(view, true);
  }

  /** POST .../cancel: organizer only; the event leaves the organizer's calendar, copies are cancelled. */
  cancel(owner: UserRecord, id: string, comment?: string): void {
    const view = this.resolve(owner.id, id);
    if (!view.ev.isOrganizer)
      throw new GraphError(
        400,
        "ErrorAccessDenied",
        "Your request can't be completed. You need to be an organizer to cancel a meeting.",
      );
    this.withComment(comment, () => this.removeInstance(view, true));
  }

  /** The comment of a cancel / accept / decline travels in the messages that request sends. */
  private comment: string | undefined;
  private withComment(comment: string | undefined, fn: () => void): void {
    this.comment = comment || undefined;
    try {
      fn();
    } finally {
      this.comment = undefined;
    }
  }

  private removeInstance(view: EventView, propagate: boolean): void {
    const ev = view.ev;
    if (view.occurrenceStartMs !== undefined || ev.type === "exception") {
      const master = view.occurrenceStartMs !== undefined ? ev : this.master(ev);
      const orig = view.occurrenceStartMs ?? ev.originalStartMs ?? ev.startMs;
      master.cancelledOccurrences.add(orig);
      if (ev.type === "exception" && !ev.deleted) {
        ev.deleted = true;
        this.touch(ev, "deleted");
      }
      this.touch(master, "updated");
      if (propagate && master.isOrganizer) {
        for (const mb of this.copyMailboxes(master.uid, master.mailboxId))
          this.cancellationTo(mb, master, orig);
        // Rooms only drop the cancelled occurrence (no new booking decision for the series).
        this.syncCopies(master, false, orig);
      }
      return;
    }
    this.tombstone(ev);
    if (propagate && ev.isOrganizer) this.cancelCopies(ev);
  }

  // ------------------------------------------------------------------ responses

  /** accept / tentativelyAccept / decline on an attendee's copy (or a room's, on the room's behalf). */
  respond(
    owner: UserRecord,
    id: string,
    response: "accepted" | "tentativelyAccepted" | "declined",
    sendResponse = true,
    comment?: string,
  ): void {
    this.withComment(comment, () => this.respondNow(owner, id, response, sendResponse));
  }

  private respondNow(
    owner: UserRecord,
    id: string,
    response: "accepted" | "tentativelyAccepted" | "declined",
    sendResponse: boolean,
  ): void {
    const view = this.resolve(owner.id, id);
    if (view.ev.isOrganizer) {
      throw new GraphError(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. You can't respond to this meeting because you're the meeting organizer.",
      );
    }
    let ev = view.ev;
    if (view.occurrenceStartMs !== undefined) ev = this.materialiseException(ev, view.occurrenceStartMs);
    const master = this.master(ev);
    if (response === "declined") {
      // A declined meeting leaves the attendee's calendar (it moves to Deleted Items).
      this.removeInstance({ ev }, false);
    } else {
      ev.response = response;
      ev.responseTimeMs = this.now();
      ev.showAs = response === "accepted" ? "busy" : "tentative";
      this.touch(ev, "updated");
      if (master !== ev) this.touch(master, "updated");
    }
    // Per-occurrence responses are tracked on the attendee's copy only; the organizer's attendee list
    // shows the response to the series (simplification: Outlook shows per-occurrence tracking there).
    if (sendResponse && ev.type !== "exception") this.setAttendeeStatus(master.uid, owner, response);
    const org = sendResponse && ev.type === "exception" ? this.findOrganizerCopy(master.uid) : undefined;
    const kind = RESPONSE_MESSAGES[response];
    if (org && kind && ev.originalStartMs !== undefined)
      this.responseTo(org, owner, kind, undefined, ev.originalStartMs);
  }

  /**
   * Updates the organizer copy's attendee status for `attendee` (the response reaching the organizer)
   * and delivers the response message to the organizer (only when the status changes).
   */
  private setAttendeeStatus(
    uid: string,
    attendee: UserRecord,
    response: ResponseKind,
    reason?: string,
  ): void {
    const org = this.findOrganizerCopy(uid);
    if (!org) return;
    const address = (attendee.data.mail ?? attendee.data.userPrincipalName).toLowerCase();
    const a = org.attendees.find(
      (x) => addressOf(x) === address || addressOf(x) === attendee.data.userPrincipalName.toLowerCase(),
    );
    if (!a) return;
    if (a.status?.response === response) return;
    a.status = { response, time: new Date(this.now()).toISOString() };
    this.touch(org, "updated");
    const kind = RESPONSE_MESSAGES[response];
    if (kind)
      this.cal.deliverMessage({
        at: new Date(this.now()).toISOString(),
        mailboxId: org.mailboxId,
        kind,
        iCalUId: uid,
        from: address,
        ...(reason ? { reason } : {}),
        ...(this.comment ? { comment: this.comment } : {}),
      });
  }

  /** A cancellation reaching an attendee's (or room's) mailbox. */
  private cancellationTo(mailboxId: string, org: StoredEvent, occurrenceStartMs?: number): void {
    this.cal.deliverMessage({
      at: new Date(this.now()).toISOString(),
      mailboxId,
      kind: "meetingCancelled",
      iCalUId: org.uid,
      from: addressOf(org.organizer),
      ...(occurrenceStartMs !== undefined
        ? { occurrenceStart: new Date(occurrenceStartMs).toISOString() }
        : {}),
      ...(this.comment ? { comment: this.comment } : {}),
    });
  }

  findOrganizerCopy(uid: string): StoredEvent | undefined {
    return this.cal.copiesOf(uid).find((e) => e.isOrganizer);
  }

  // ------------------------------------------------------------------ propagation to attendee copies

  /** Mailboxes that hold a copy of the meeting (except the organizer's). */
  private copyMailboxes(uid: string, organizerMailbox: string): string[] {
    return this.cal
      .copiesOf(uid)
      .map((e) => e.mailboxId)
      .filter((id) => id !== organizerMailbox);
  }

  /** Brings every attendee's copy in line with the organizer's event; rooms run their booking policy. */
  syncCopies(org: StoredEvent, timeChanged = false, changedOccurrence?: number): void {
    if (!org.isOrganizer || org.type === "exception") return;
    const wanted = new Map<string, UserRecord>();
    for (const a of org.attendees) {
      const u = this.sim.store.findUser(addressOf(a));
      if (u && u.id !== org.mailboxId) wanted.set(u.id, u);
    }
    for (const mb of this.copyMailboxes(org.uid, org.mailboxId)) {
      if (!wanted.has(mb)) this.cancelCopy(mb, org);
    }
    for (const user of wanted.values()) {
      if (user.isRoomMailbox) this.processRoom(org, user, changedOccurrence);
      else this.upsertCopy(org, user.id, timeChanged ? "reset" : "keep");
    }
  }

  private cancelCopies(org: StoredEvent): void {
    for (const mb of this.copyMailboxes(org.uid, org.mailboxId)) this.cancelCopy(mb, org);
  }

  /** The attendee's copy becomes "Canceled: …" with isCancelled (rooms may remove it instead). */
  private cancelCopy(mailboxId: string, org: StoredEvent): void {
    const copy = this.findCopy(mailboxId, org.uid);
    if (!copy || copy.isCancelled) return;
    this.cancellationTo(mailboxId, org);
    const user = this.sim.store.users.get(mailboxId);
    if (user?.isRoomMailbox && this.cal.processingOf(mailboxId).removeCanceledMeetings) {
      this.tombstone(copy);
      return;
    }
    copy.isCancelled = true;
    copy.subject = copy.subject.startsWith("Canceled: ") ? copy.subject : `Canceled: ${copy.subject}`;
    copy.showAs = "free";
    this.touch(copy, "updated");
  }

  /**
   * Creates or updates `mailboxId`'s copy from the organizer's event. `response`: "keep" the copy's
   * response, "reset" it (time changed: Outlook asks attendees again), or set a given one.
   */
  private upsertCopy(
    org: StoredEvent,
    mailboxId: string,
    response: "keep" | "reset" | ResponseKind,
    rewrite?: (copy: StoredEvent) => void,
    declinedOccurrences: number[] = [],
  ): StoredEvent {
    let copy = this.findCopy(mailboxId, org.uid);
    const isNew = !copy;
    if (!copy) {
      copy = {
        ...structuredClone({
          ...org,
          cancelledOccurrences: undefined,
          exceptions: undefined,
          extendedProperties: undefined,
        }),
        id: this.cal.newEventId(mailboxId),
        mailboxId,
        isOrganizer: false,
        response: "notResponded",
        responseTimeMs: undefined,
        showAs: org.showAs === "free" ? "free" : "tentative",
        transactionId: undefined,
        categories: [],
        cancelledOccurrences: new Set(),
        exceptions: new Map(),
        // Extended properties stay with the item they were set on (they are not sent in the request).
        extendedProperties: new Map(),
        createdMs: this.now(),
        deleted: false,
      };
    } else {
      cloneFields(copy, org, MIRRORED_FIELDS);
      copy.isCancelled = false;
    }
    if (response === "reset") {
      copy.response = "notResponded";
      copy.responseTimeMs = undefined;
      copy.showAs = "tentative";
    } else if (response !== "keep") {
      copy.response = response;
      copy.responseTimeMs = this.now();
      copy.showAs = response === "accepted" ? "busy" : "tentative";
    }
    rewrite?.(copy);
    // Deleted occurrences and exceptions mirror the organizer's series.
    copy.cancelledOccurrences = new Set([...org.cancelledOccurrences, ...declinedOccurrences]);
    if (isNew) this.put(copy);
    else this.touch(copy, "updated");
    this.syncExceptions(org, copy, rewrite);
    return copy;
  }

  private syncExceptions(org: StoredEvent, copy: StoredEvent, rewrite?: (copy: StoredEvent) => void): void {
    const orgBox = this.mailbox(org.mailboxId);
    const box = this.mailbox(copy.mailboxId);
    for (const [orig, excId] of org.exceptions) {
      const src = orgBox.events.get(excId);
      if (!src || src.deleted) continue;
      const existingId = copy.exceptions.get(orig);
      let exc = existingId ? box.events.get(existingId) : undefined;
      if (copy.cancelledOccurrences.has(orig)) {
        // An occurrence the room declined has no exception in the room's calendar.
        if (exc && !exc.deleted) {
          exc.deleted = true;
          this.touch(exc, "deleted");
        }
        continue;
      }
      if (!exc || exc.deleted) exc = this.materialiseException(copy, orig);
      cloneFields(exc, src, MIRRORED_EXCEPTION_FIELDS);
      exc.isCancelled = false;
      rewrite?.(exc);
      this.touch(exc, "updated");
    }
  }

  // ------------------------------------------------------------------ the resource booking attendant

  /**
   * A room invited to a meeting: AutoAccept evaluates the booking policy and accepts (room copy with
   * the subject/body/private rewrites) or declines (no room copy); None/AutoUpdate leave a tentative
   * copy for a delegate. The organizer's copy gets the room's response.
   */
  private processRoom(org: StoredEvent, room: UserRecord, changedOccurrence?: number): void {
    const p = this.cal.processingOf(room.id);
    if (p.automateProcessing !== "AutoAccept") {
      const existing = this.findCopy(room.id, org.uid);
      this.upsertCopy(
        org,
        room.id,
        existing ? "keep" : p.automateProcessing === "AutoUpdate" ? "tentativelyAccepted" : "notResponded",
      );
      if (!existing && p.automateProcessing === "AutoUpdate")
        this.setAttendeeStatus(org.uid, room, "tentativelyAccepted");
      return;
    }
    const organizerName = org.organizer.emailAddress?.name ?? org.organizer.emailAddress?.address ?? "";
    const rewrite = (copy: StoredEvent) => {
      // Set-CalendarProcessing: DeleteSubject removes the subject, AddOrganizerToSubject adds the organizer's
      // name (both default: the subject becomes the organizer's name). How the two combine when only
      // AddOrganizerToSubject is set is not documented; the simulator prepends the name.
      let subject = copy.subject;
      if (p.deleteSubject) subject = "";
      if (p.addOrganizerToSubject) subject = subject ? `${organizerName} ${subject}` : organizerName;
      copy.subject = subject;
      if (p.deleteComments) copy.body = { contentType: copy.body.contentType, content: "" };
      if (p.removePrivateProperty && copy.sensitivity === "private") copy.sensitivity = "normal";
      copy.showAs = "busy";
    };
    const existing = this.findCopy(room.id, org.uid);
    if (changedOccurrence !== undefined && existing?.response === "accepted") {
      // The organizer changed one occurrence of a series the room holds: the room answers for that
      // occurrence only (a conflicting move declines that occurrence, the series stays booked).
      const earlier = [...existing.cancelledOccurrences].filter(
        (o) => !org.cancelledOccurrences.has(o) && o !== changedOccurrence,
      );
      const one = this.evaluatePolicy(org, room.id, p, changedOccurrence);
      const wasDeclined = existing.cancelledOccurrences.has(changedOccurrence);
      this.upsertCopy(org, room.id, "keep", rewrite, one.accept ? earlier : [...earlier, changedOccurrence]);
      if (one.accept === wasDeclined)
        this.responseTo(
          org,
          room,
          one.accept ? "meetingAccepted" : "meetingDeclined",
          one.reason,
          changedOccurrence,
        );
      return;
    }
    // Occurrences the room already declined stay declined and don't count as conflicts again.
    const declinedBefore =
      existing?.response === "accepted"
        ? new Set([...existing.cancelledOccurrences].filter((o) => !org.cancelledOccurrences.has(o)))
        : new Set<number>();
    const decision = this.evaluatePolicy(org, room.id, p, undefined, declinedBefore);
    if (!decision.accept) {
      if (existing) this.tombstone(existing);
      this.setAttendeeStatus(org.uid, room, "declined", decision.reason);
      return;
    }
    this.upsertCopy(org, room.id, "accepted", rewrite, decision.declinedOccurrences);
    this.setAttendeeStatus(org.uid, room, "accepted");
    for (const o of decision.declinedOccurrences)
      if (!declinedBefore.has(o)) this.responseTo(org, room, "meetingDeclined", "AllowConflicts", o);
  }

  /** A response about one occurrence reaching the organizer (the series status is unchanged). */
  private responseTo(
    org: StoredEvent,
    from: UserRecord,
    kind: MeetingMessage["kind"],
    reason: string | undefined,
    occurrenceStartMs: number,
  ): void {
    this.cal.deliverMessage({
      at: new Date(this.now()).toISOString(),
      mailboxId: org.mailboxId,
      kind,
      iCalUId: org.uid,
      from: (from.data.mail ?? from.data.userPrincipalName).toLowerCase(),
      occurrenceStart: new Date(occurrenceStartMs).toISOString(),
      ...(reason ? { reason } : {}),
      ...(this.comment ? { comment: this.comment } : {}),
    });
  }

  /** Booking policy of a room for a meeting (AutoAccept). */
  evaluatePolicy(
    org: StoredEvent,
    roomId: string,
    p: CalendarProcessing,
    /** Evaluate this one occurrence (original start) of a series, as a single meeting. */
    onlyOccurrence?: number,
    /** Occurrences the room declined before: left out of the evaluation, and declined again. */
    declinedBefore: ReadonlySet<number> = new Set(),
  ): { accept: boolean; reason?: string; declinedOccurrences: number[] } {
    const d = this.evaluateInstances(org, roomId, p, onlyOccurrence, declinedBefore);
    return d.accept ? { ...d, declinedOccurrences: [...declinedBefore, ...d.declinedOccurrences] } : d;
  }

  private evaluateInstances(
    org: StoredEvent,
    roomId: string,
    p: CalendarProcessing,
    onlyOccurrence: number | undefined,
    declinedBefore: ReadonlySet<number>,
  ): { accept: boolean; reason?: string; declinedOccurrences: number[] } {
    const now = this.now();
    const horizon = now + p.bookingWindowInDays * DAY;
    const orgBox = this.mailbox(org.mailboxId);
    let instances: Array<{ orig: number; start: number; end: number }>;
    if (org.type === "seriesMaster" && onlyOccurrence !== undefined) {
      instances = instancesOf(org, orgBox.events, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)
        .map((v) => ({
          orig: v.occurrenceStartMs ?? v.ev.originalStartMs ?? v.ev.startMs,
          start: viewStart(v),
          end: viewEnd(v),
        }))
        .filter((i) => i.orig === onlyOccurrence);
    } else if (org.type === "seriesMaster") {
      if (!p.allowRecurringMeetings)
        return { accept: false, reason: "AllowRecurringMeetings", declinedOccurrences: [] };
      const range = org.recurrence?.range;
      if (p.enforceSchedulingHorizon && range?.type === "noEnd")
        return { accept: false, reason: "BookingWindowInDays", declinedOccurrences: [] };
      instances = instancesOf(org, orgBox.events, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).map(
        (v) => ({
          orig: v.occurrenceStartMs ?? v.ev.originalStartMs ?? v.ev.startMs,
          start: viewStart(v),
          end: viewEnd(v),
        }),
      );
    } else instances = [{ orig: org.startMs, start: org.startMs, end: org.endMs }];
    instances = instances.filter((i) => !declinedBefore.has(i.orig));
    if (instances.length === 0) return { accept: true, declinedOccurrences: [] };
    if (
      p.maximumDurationInMinutes > 0 &&
      instances.some((i) => i.end - i.start > p.maximumDurationInMinutes * 60_000)
    ) {
      return { accept: false, reason: "MaximumDurationInMinutes", declinedOccurrences: [] };
    }
    const lastStart = Math.max(...instances.map((i) => i.start));
    const firstStart = Math.min(...instances.map((i) => i.start));
    if (
      firstStart > horizon ||
      (org.type === "seriesMaster" && p.enforceSchedulingHorizon && lastStart > horizon)
    ) {
      return { accept: false, reason: "BookingWindowInDays", declinedOccurrences: [] };
    }
    if (p.allowConflicts) return { accept: true, declinedOccurrences: [] };
    const from = Math.min(...instances.map((i) => i.start));
    const to = Math.max(...instances.map((i) => i.end));
    const busy = this.calendarView(roomId, from, to).filter((v) => {
      const e = v.ev;
      return e.uid !== org.uid && !e.isCancelled && e.showAs !== "free" && e.response !== "declined";
    });
    const conflicting = instances.filter((i) =>
      busy.some((b) => viewStart(b) < i.end && viewEnd(b) > i.start),
    );
    if (conflicting.length === 0) return { accept: true, declinedOccurrences: [] };
    if (org.type !== "seriesMaster" || onlyOccurrence !== undefined)
      return { accept: false, reason: "AllowConflicts", declinedOccurrences: [] };
    const pct = (conflicting.length * 100) / instances.length;
    if (conflicting.length > p.maximumConflictInstances || pct > p.conflictPercentageAllowed) {
      return { accept: false, reason: "AllowConflicts", declinedOccurrences: [] };
    }
    return { accept: true, declinedOccurrences: conflicting.map((i) => i.orig) };
  }
}

function normaliseLocation(l: Location | null | undefined): Location {
  const out: Location = {
    displayName: l?.displayName ?? "",
    locationType: l?.locationType ?? (l?.locationEmailAddress ? "conferenceRoom" : "default"),
    uniqueIdType: l?.uniqueIdType ?? (l?.locationEmailAddress ? "directory" : "unknown"),
  };
  if (l?.locationEmailAddress) out.locationEmailAddress = l.locationEmailAddress;
  if (l?.uniqueId ?? l?.displayName) out.uniqueId = l?.uniqueId ?? l?.displayName ?? null;
  if (l?.address) out.address = l.address;
  if (l?.coordinates) out.coordinates = l.coordinates;
  return out;
}

/** The calendar service of a running simulator (one per services object). */
export const calendarService = perSimulator((sim) => new CalendarService(sim));

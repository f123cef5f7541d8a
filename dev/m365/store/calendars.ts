import { createHash } from "node:crypto";
import type {
  Attendee,
  ItemBody,
  Location,
  PatternedRecurrence,
  Recipient,
} from "@microsoft/microsoft-graph-types";
import type { TenantStore } from "./tenant-store";

/**
 * Calendar state of the simulated tenant (used by dev/m365/calendar and dev/m365/notifications).
 *
 * Every mailbox (user or room) has its own copies of a meeting, each with its own id; the copies share
 * `uid` (the iCalUId of a single event or series). Series occurrences are not stored: they are expanded
 * from the master on read; a changed occurrence is stored as an `exception` whose id is the
 * occurrence id, and a deleted one is listed in the master's `cancelledOccurrences`.
 */

export type EventKind = "singleInstance" | "seriesMaster" | "exception";
export type ResponseKind =
  "none" | "organizer" | "tentativelyAccepted" | "accepted" | "declined" | "notResponded";

/** Exchange `Set-CalendarProcessing` settings of a room mailbox (the ones the simulator honours). */
export interface CalendarProcessing {
  automateProcessing: "AutoAccept" | "AutoUpdate" | "None";
  allowConflicts: boolean;
  /** 0–1080 days; requests starting (or a series ending) beyond it are declined. */
  bookingWindowInDays: number;
  enforceSchedulingHorizon: boolean;
  /** 0 = unlimited. Per occurrence. */
  maximumDurationInMinutes: number;
  allowRecurringMeetings: boolean;
  conflictPercentageAllowed: number;
  maximumConflictInstances: number;
  addOrganizerToSubject: boolean;
  deleteSubject: boolean;
  deleteComments: boolean;
  removePrivateProperty: boolean;
  /** EXO `RemoveCanceledMeetings` (default false: cancelled meetings stay, `isCancelled: true`). */
  removeCanceledMeetings: boolean;
}

export function defaultCalendarProcessing(): CalendarProcessing {
  return {
    automateProcessing: "AutoAccept",
    allowConflicts: false,
    bookingWindowInDays: 180,
    enforceSchedulingHorizon: true,
    maximumDurationInMinutes: 1440,
    allowRecurringMeetings: true,
    conflictPercentageAllowed: 0,
    maximumConflictInstances: 0,
    addOrganizerToSubject: true,
    deleteSubject: true,
    deleteComments: true,
    removePrivateProperty: true,
    removeCanceledMeetings: false,
  };
}

export type OnlineMeetingProvider = "unknown" | "teamsForBusiness" | "skypeForBusiness" | "skypeForConsumer";

/**
 * A meeting message that reached a mailbox: a response to the organizer (a room's or attendee's accept
 * or decline; `reason` names the room's calendar-processing setting behind a decline) or a
 * cancellation to an attendee (the whole meeting, or one occurrence).
 */
export interface MeetingMessage {
  seq: number;
  /** Simulator time it arrived. */
  at: string;
  /** Recipient mailbox id. */
  mailboxId: string;
  kind: "meetingAccepted" | "meetingTentativelyAccepted" | "meetingDeclined" | "meetingCancelled";
  /** The meeting's iCalUId (of the series for occurrences). */
  iCalUId: string;
  /** Sender address (the responding attendee or room; the organizer of a cancellation). */
  from: string;
  /** Original start of the occurrence concerned (ISO), for per-occurrence cancellations. */
  occurrenceStart?: string;
  reason?: string;
  /** The `comment` of the cancel, accept or decline request that sent it. */
  comment?: string;
}

export interface ExtendedProperty {
  id: string;
  value: string;
}

export interface StoredEvent {
  id: string;
  mailboxId: string;
  /** iCalUId of the single event / series; shared by every copy of the meeting. */
  uid: string;
  type: EventKind;
  /** For exceptions: the master's id and the occurrence's original start. */
  seriesMasterId?: string;
  originalStartMs?: number;
  startMs: number;
  endMs: number;
  /** Zones as the creator gave them (originalStartTimeZone / originalEndTimeZone). */
  startZone: string;
  endZone: string;
  isAllDay: boolean;
  subject: string;
  body: ItemBody;
  location: Location;
  locations: Location[];
  attendees: Attendee[];
  organizer: Recipient;
  isOrganizer: boolean;
  response: ResponseKind;
  responseTimeMs?: number;
  showAs: "free" | "tentative" | "busy" | "oof" | "workingElsewhere" | "unknown";
  sensitivity: "normal" | "personal" | "private" | "confidential";
  importance: "low" | "normal" | "high";
  isCancelled: boolean;
  categories: string[];
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  responseRequested: boolean;
  allowNewTimeProposals: boolean;
  isOnlineMeeting: boolean;
  onlineMeetingProvider: OnlineMeetingProvider;
  /** Set once isOnlineMeeting becomes true (Graph then keeps the meeting online). */
  onlineMeeting?: { joinUrl: string; conferenceId: string };
  hideAttendees: boolean;
  recurrence?: PatternedRecurrence;
  /** Masters: original starts (ms) of deleted occurrences. */
  cancelledOccurrences: Set<number>;
  /** Masters: original start (ms) → exception id. */
  exceptions: Map<number, string>;
  /** Lower-cased property id → property. */
  extendedProperties: Map<string, ExtendedProperty>;
  transactionId?: string;
  createdMs: number;
  modifiedMs: number;
  changeKey: string;
  /** Mailbox change sequence of the last write (calendarView/delta). */
  changeSeq: number;
  /** Tombstone: deleted events stay for delta until the state is reset. */
  deleted: boolean;
}

export interface EventChange {
  mailboxId: string;
  eventId: string;
  changeType: "created" | "updated" | "deleted";
  changeKey: string;
}

export interface MailboxCalendar {
  mailboxId: string;
  /** Creation order of the mailbox's calendar (copies of a meeting are visited in this order). */
  ordinal: number;
  events: Map<string, StoredEvent>;
  /** transactionId → event id (create de-duplication). */
  transactions: Map<string, string>;
  seq: number;
}

/** Tenant-wide calendar state, kept in `store.extensions` (cleared with the tenant on reseed). */
export class CalendarStore {
  readonly mailboxes = new Map<string, MailboxCalendar>();
  /** Room mailbox id → calendar processing. */
  readonly processing = new Map<string, CalendarProcessing>();
  /**
   * iCalUId → the singles and masters carrying it, in every mailbox (tombstones included), so a
   * meeting's copies are found without scanning the tenant. Exceptions are reached via their master.
   */
  private readonly byUid = new Map<string, StoredEvent[]>();
  /** Meeting messages delivered so far (oldest first; the oldest go beyond 100,000). */
  readonly messages: MeetingMessage[] = [];
  private messageSeq = 0;
  private counter = 0;
  /** Bumped to invalidate outstanding calendar delta tokens. */
  generation = 1;

  constructor(readonly tenantId: string) {}

  mailbox(mailboxId: string): MailboxCalendar {
    let m = this.mailboxes.get(mailboxId);
    if (!m) {
      m = { mailboxId, ordinal: this.mailboxes.size, events: new Map(), transactions: new Map(), seq: 0 };
      this.mailboxes.set(mailboxId, m);
    }
    return m;
  }

  /**
   * Stores a new event in its mailbox and indexes singles and masters by iCalUId. An exception may
   * replace a deleted one of the same occurrence (same id).
   */
  addEvent(ev: StoredEvent): void {
    const box = this.mailbox(ev.mailboxId);
    if (ev.type !== "exception" && box.events.has(ev.id)) throw new Error(`event ${ev.id} already stored`);
    box.events.set(ev.id, ev);
    if (ev.type === "exception") return;
    const list = this.byUid.get(ev.uid);
    if (list) list.push(ev);
    else this.byUid.set(ev.uid, [ev]);
  }

  /**
   * The live singles and masters with this iCalUId, one per mailbox in mailbox creation order (in a
   * mailbox, the first stored), whatever the number of mailboxes and events in the tenant.
   */
  copiesOf(uid: string): StoredEvent[] {
    const out = new Map<string, StoredEvent>();
    for (const e of this.byUid.get(uid) ?? [])
      if (!e.deleted && e.type !== "exception" && !out.has(e.mailboxId)) out.set(e.mailboxId, e);
    return [...out.values()].sort(
      (a, b) => this.mailbox(a.mailboxId).ordinal - this.mailbox(b.mailboxId).ordinal,
    );
  }

  deliverMessage(m: Omit<MeetingMessage, "seq">): void {
    this.messages.push({ seq: ++this.messageSeq, ...m });
    if (this.messages.length > 100_000) this.messages.splice(0, this.messages.length - 100_000);
  }

  processingOf(roomMailboxId: string): CalendarProcessing {
    let p = this.processing.get(roomMailboxId);
    if (!p) {
      p = defaultCalendarProcessing();
      this.processing.set(roomMailboxId, p);
    }
    return p;
  }

  /** A new Exchange-looking item id (deterministic: derived from tenant, mailbox and a counter). */
  newEventId(mailboxId: string): string {
    const h = createHash("sha256")
      .update(`${this.tenantId}/${mailboxId}/${++this.counter}`)
      .digest("base64url")
      .slice(0, 40);
    return `AAMkAG${h}AAA=`;
  }

  newUid(): string {
    const h = createHash("sha256")
      .update(`${this.tenantId}/uid/${++this.counter}`)
      .digest("hex")
      .toUpperCase();
    return `040000008200E00074C5B7101A82E00800000000${h.slice(0, 16)}00000000000000001000000${h.slice(16, 48)}`;
  }

  newChangeKey(): string {
    return createHash("sha256").update(`${this.tenantId}/ck/${++this.counter}`).digest("base64").slice(0, 28);
  }
}

const KEY = "calendar";
const LISTENERS = new WeakMap<TenantStore, Array<(c: EventChange) => void>>();

/** The calendar state of a tenant store (created on first use; reseeding clears it). */
export function calendarsOf(store: TenantStore): CalendarStore {
  let c = store.extensions.get(KEY) as CalendarStore | undefined;
  if (!c || c.tenantId !== store.tenantId) {
    c = new CalendarStore(store.tenantId);
    store.extensions.set(KEY, c);
  }
  return c;
}

/** Subscribes to event writes (used by the notifications module). Listeners survive reseeds. */
export function onCalendarChange(store: TenantStore, listener: (c: EventChange) => void): void {
  const list = LISTENERS.get(store) ?? [];
  list.push(listener);
  LISTENERS.set(store, list);
}

export function emitCalendarChange(store: TenantStore, change: EventChange): void {
  for (const l of LISTENERS.get(store) ?? []) l(change);
}

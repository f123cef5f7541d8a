import type { PatternedRecurrence } from "@microsoft/microsoft-graph-types";
import { perSimulator, type SimulatorServices } from "../services";
import { bodyOf, guard as guardControl } from "../control/guard";
import type { Router } from "../http/router";
import type { RequestContext, SimResponse } from "../http/context";
import {
  calendarsOf,
  defaultCalendarProcessing,
  type CalendarProcessing,
  type MeetingMessage,
  type StoredEvent,
} from "../store/calendars";
import type { UserRecord } from "../store/types";
import { calendarService } from "./service";
import { renderEvent } from "./shapes";
import { calendarDeltaSettings } from "./delta";
import { occurrenceId, occurrenceStarts } from "./views";

/** A meeting as the control API (and calendar seeds) describe it. */
export interface MeetingSpec {
  /** Organizer UPN or id (a user, or a room for a direct write into the room calendar). */
  organizer: string;
  subject: string;
  /** ISO local date-time ("2025-03-03T09:00:00") in `timeZone`, or with Z/offset. */
  start: string;
  end: string;
  /** Windows or IANA name; default UTC. */
  timeZone?: string;
  /** Room e-mail addresses, invited as resource attendees (and set as location). */
  rooms?: string[];
  /** Required attendees (UPNs or addresses). */
  attendees?: string[];
  body?: string;
  recurrence?: PatternedRecurrence;
  sensitivity?: "normal" | "private";
  isOnlineMeeting?: boolean;
  transactionId?: string;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

/** What the control API may change on a meeting (as its organizer). */
export interface MeetingPatch {
  start?: string;
  end?: string;
  /** Zone of start/end (Windows or IANA); default UTC. */
  timeZone?: string;
  subject?: string;
  body?: string;
  /** Replace the room (resource) attendees. */
  rooms?: string[];
  /** Replace the required attendees (UPNs or addresses). */
  attendees?: string[];
  recurrence?: PatternedRecurrence | null;
  isOnlineMeeting?: boolean;
  /** Edit one occurrence of the series `eventId`: its original start (ISO instant). */
  occurrenceStart?: string;
}

export interface CalendarSettings {
  /** Reproduce Graph's "Access is denied" on delegated calendarView/delta nextLinks of shared calendars. */
  delegatedSharedDeltaNextLinkDenied: boolean;
}

export type RoomAction = "accept" | "decline" | "tentativelyAccept";

/**
 * Control API of the calendar area (in-process: `sim.control.calendar`; HTTP under /_sim/calendar):
 * act as an Outlook user or a room, and set rooms' calendar processing.
 */
export class CalendarControl {
  constructor(private readonly sim: SimulatorServices) {}

  private user(idOrUpn: string): UserRecord {
    const u = this.sim.store.findUser(idOrUpn);
    if (!u) throw new Error(`no user or room mailbox ${idOrUpn}`);
    return u;
  }

  get settings(): CalendarSettings {
    let s = calendarDeltaSettings.get(this.sim);
    if (!s) {
      s = { delegatedSharedDeltaNextLinkDenied: true };
      calendarDeltaSettings.set(this.sim, s);
    }
    return s;
  }

  configure(patch: Partial<CalendarSettings>): CalendarSettings {
    return Object.assign(this.settings, patch);
  }

  calendarProcessing(room: string): CalendarProcessing {
    const r = this.user(room);
    if (!r.isRoomMailbox) throw new Error(`${room} is not a room mailbox`);
    return calendarsOf(this.sim.store).processingOf(r.id);
  }

  /** Set-CalendarProcessing for a room (only the given settings change). */
  setCalendarProcessing(room: string, patch: Partial<CalendarProcessing>): CalendarProcessing {
    const p = this.calendarProcessing(room);
    for (const k of Object.keys(patch))
      if (!(k in defaultCalendarProcessing())) throw new Error(`unknown calendar processing setting ${k}`);
    return Object.assign(p, patch);
  }

  private render(ev: StoredEvent) {
    return renderEvent({ ev }, { zone: "UTC", extendedProperties: "all" });
  }

  /** Acts as an Outlook user: creates a meeting in the organizer's calendar, inviting rooms and people. */
  createMeeting(spec: MeetingSpec) {
    return this.render(this.createMeetingEvent(spec));
  }

  /** `createMeeting` without rendering (seeding): the organizer's stored event. */
  createMeetingEvent(spec: MeetingSpec): StoredEvent {
    const organizer = this.user(spec.organizer);
    const tz = spec.timeZone ?? "UTC";
    const rooms = (spec.rooms ?? []).map((r) => this.user(r));
    const people = (spec.attendees ?? []).map((p) => this.user(p));
    const firstRoom = rooms[0];
    const input: Record<string, unknown> = {
      subject: spec.subject,
      body: { contentType: "text", content: spec.body ?? "" },
      start: { dateTime: spec.start, timeZone: tz },
      end: { dateTime: spec.end, timeZone: tz },
      attendees: [
        ...people.map((p) => attendeeOf(p, "required")),
        ...rooms.map((r) => attendeeOf(r, "resource")),
      ],
      ...(firstRoom
        ? {
            location: {
              displayName: firstRoom.data.displayName,
              locationEmailAddress: firstRoom.data.mail,
              locationType: "conferenceRoom",
            },
          }
        : {}),
      ...(spec.recurrence ? { recurrence: spec.recurrence } : {}),
      ...(spec.sensitivity ? { sensitivity: spec.sensitivity } : {}),
      ...(spec.isOnlineMeeting ? { isOnlineMeeting: true } : {}),
      ...(spec.transactionId ? { transactionId: spec.transactionId } : {}),
      ...(spec.singleValueExtendedProperties
        ? { singleValueExtendedProperties: spec.singleValueExtendedProperties }
        : {}),
    };
    return calendarService(this.sim).create(organizer, input).ev;
  }

  /**
   * The id of one occurrence of a series in a mailbox, by its original start (ISO instant): the
   * occurrence or, once changed, its exception (Graph gives both the same id in this simulator).
   */
  occurrenceId(mailbox: string, seriesMasterId: string, originalStart: string): string {
    const user = this.user(mailbox);
    const master = calendarService(this.sim).resolve(user.id, seriesMasterId).ev;
    const ms = Date.parse(originalStart);
    if (master.type !== "seriesMaster" || Number.isNaN(ms))
      throw new Error(`${seriesMasterId} is not a series master, or ${originalStart} is not an instant`);
    const known = master.exceptions.has(ms) || occurrenceStarts(master, ms, ms + 1).length === 1;
    if (!known || master.cancelledOccurrences.has(ms))
      throw new Error(`the series has no occurrence starting at ${originalStart}`);
    return occurrenceId(master.id, ms);
  }

  /**
   * Acts as the organizer: moves (or otherwise edits) a meeting, or one occurrence of a series
   * (`occurrenceStart`: its original start); rooms re-process it.
   */
  updateMeeting(organizer: string, eventId: string, patch: MeetingPatch) {
    const user = this.user(organizer);
    const svc = calendarService(this.sim);
    const id = patch.occurrenceStart ? this.occurrenceId(organizer, eventId, patch.occurrenceStart) : eventId;
    const input: Record<string, unknown> = {};
    const tz = patch.timeZone ?? "UTC";
    if (patch.start) input.start = { dateTime: patch.start, timeZone: tz };
    if (patch.end) input.end = { dateTime: patch.end, timeZone: tz };
    if (patch.subject !== undefined) input.subject = patch.subject;
    if (patch.body !== undefined) input.body = { contentType: "text", content: patch.body };
    if (patch.recurrence !== undefined) input.recurrence = patch.recurrence;
    if (patch.isOnlineMeeting !== undefined) input.isOnlineMeeting = patch.isOnlineMeeting;
    if (patch.rooms || patch.attendees) {
      const current = svc.resolve(user.id, id).ev.attendees;
      const people = patch.attendees
        ? patch.attendees.map((p) => attendeeOf(this.user(p), "required"))
        : current.filter((a) => a.type !== "resource");
      const rooms = patch.rooms
        ? patch.rooms.map((r) => attendeeOf(this.user(r), "resource"))
        : current.filter((a) => a.type === "resource");
      input.attendees = [...people, ...rooms];
    }
    return this.render(svc.update(user, id, input));
  }

  /** Acts as the organizer: cancels a meeting, or one occurrence (`occurrenceStart`: its original start). */
  cancelMeeting(
    organizer: string,
    eventId: string,
    options: { occurrenceStart?: string; comment?: string } = {},
  ): void {
    const id = options.occurrenceStart
      ? this.occurrenceId(organizer, eventId, options.occurrenceStart)
      : eventId;
    calendarService(this.sim).cancel(this.user(organizer), id, options.comment);
  }

  /** Meeting messages received by a mailbox (responses for organizers, cancellations for attendees). */
  messages(mailbox: string, sinceSeq = 0): MeetingMessage[] {
    const id = this.user(mailbox).id;
    return calendarsOf(this.sim.store).messages.filter((m) => m.mailboxId === id && m.seq > sinceSeq);
  }

  /** Acts as the room (or its delegate): responds to the room's copy, found by id or iCalUId. */
  respondAsRoom(room: string, eventIdOrICalUId: string, action: RoomAction, comment?: string): void {
    const r = this.user(room);
    const svc = calendarService(this.sim);
    const copy = svc.mailbox(r.id).events.get(eventIdOrICalUId) ?? svc.findCopy(r.id, eventIdOrICalUId);
    if (!copy || copy.deleted) throw new Error(`no event ${eventIdOrICalUId} in ${room}'s calendar`);
    const response =
      action === "accept" ? "accepted" : action === "decline" ? "declined" : "tentativelyAccepted";
    svc.respond(r, copy.id, response, true, comment);
  }

  /** The events (singles and masters) of a mailbox, as Graph renders them in UTC. */
  events(mailbox: string) {
    return calendarService(this.sim)
      .listEvents(this.user(mailbox).id)
      .map((ev) => this.render(ev));
  }
}

function attendeeOf(u: UserRecord, type: "required" | "resource") {
  return {
    type,
    emailAddress: { address: u.data.mail ?? u.data.userPrincipalName, name: u.data.displayName },
  };
}

export const calendarControl = perSimulator((sim) => new CalendarControl(sim));

/** A control route on this module's control object (errors: 400 `control_failed`). */
const guard = (fn: (ctx: RequestContext, c: CalendarControl) => SimResponse | Promise<SimResponse>) =>
  guardControl((ctx) => fn(ctx, calendarControl(ctx.sim)));

export function registerCalendarControlRoutes(router: Router): void {
  router.control(
    "GET",
    "/calendar/processing/{room}",
    guard((ctx, c) => ({ status: 200, body: c.calendarProcessing(ctx.params.room ?? "") })),
  );
  router.control(
    "PATCH",
    "/calendar/processing/{room}",
    guard((ctx, c) => ({ status: 200, body: c.setCalendarProcessing(ctx.params.room ?? "", bodyOf(ctx)) })),
  );
  router.control(
    "PATCH",
    "/calendar/settings",
    guard((ctx, c) => ({ status: 200, body: c.configure(bodyOf(ctx)) })),
  );
  router.control(
    "POST",
    "/calendar/meetings",
    guard((ctx, c) => ({ status: 201, body: c.createMeeting(bodyOf(ctx)) })),
  );
  router.control(
    "PATCH",
    "/calendar/meetings/{organizer}/{eventId}",
    guard((ctx, c) => ({
      status: 200,
      body: c.updateMeeting(ctx.params.organizer ?? "", ctx.params.eventId ?? "", bodyOf(ctx)),
    })),
  );
  router.control(
    "POST",
    "/calendar/meetings/{organizer}/{eventId}/cancel",
    guard((ctx, c) => {
      c.cancelMeeting(ctx.params.organizer ?? "", ctx.params.eventId ?? "", bodyOf(ctx));
      return { status: 200, body: { ok: true } };
    }),
  );
  router.control(
    "POST",
    "/calendar/rooms/{room}/events/{eventId}/{action}",
    guard((ctx, c) => {
      const action = ctx.params.action as RoomAction;
      if (!["accept", "decline", "tentativelyAccept"].includes(action))
        throw new Error(`unknown action ${action}`);
      c.respondAsRoom(
        ctx.params.room ?? "",
        ctx.params.eventId ?? "",
        action,
        bodyOf<{ comment?: string }>(ctx).comment,
      );
      return { status: 200, body: { ok: true } };
    }),
  );
  router.control(
    "GET",
    "/calendar/mailboxes/{mailbox}/messages",
    guard((ctx, c) => ({
      status: 200,
      body: { value: c.messages(ctx.params.mailbox ?? "", Number(ctx.query.get("sinceSeq") ?? 0)) },
    })),
  );
  router.control(
    "GET",
    "/calendar/mailboxes/{mailbox}/events/{eventId}/occurrences/{originalStart}",
    guard((ctx, c) => ({
      status: 200,
      body: {
        id: c.occurrenceId(
          ctx.params.mailbox ?? "",
          ctx.params.eventId ?? "",
          ctx.params.originalStart ?? "",
        ),
      },
    })),
  );
  router.control(
    "GET",
    "/calendar/mailboxes/{mailbox}/events",
    guard((ctx, c) => ({ status: 200, body: { value: c.events(ctx.params.mailbox ?? "") } })),
  );
}

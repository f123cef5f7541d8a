import type { PatternedRecurrence } from "@microsoft/microsoft-graph-types";
import { perSimulator, type SimulatorServices } from "../services";
import { bodyOf, guard as guardControl } from "../control/guard";
import type { Router } from "../http/router";
import type { RequestContext, SimResponse } from "../http/context";
import {
  calendarsOf,
  defaultCalendarProcessing,
  type CalendarProcessing,
  type StoredEvent,
} from "../store/calendars";
import type { UserRecord } from "../store/types";
import { calendarService } from "./service";
import { renderEvent } from "./shapes";
import { calendarDeltaSettings } from "./delta";

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
  transactionId?: string;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
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
        ...people.map((p) => ({
          type: "required",
          emailAddress: { address: p.data.mail ?? p.data.userPrincipalName, name: p.data.displayName },
        })),
        ...rooms.map((r) => ({
          type: "resource",
          emailAddress: { address: r.data.mail ?? r.data.userPrincipalName, name: r.data.displayName },
        })),
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
      ...(spec.transactionId ? { transactionId: spec.transactionId } : {}),
      ...(spec.singleValueExtendedProperties
        ? { singleValueExtendedProperties: spec.singleValueExtendedProperties }
        : {}),
    };
    return calendarService(this.sim).create(organizer, input).ev;
  }

  /** Acts as the organizer: moves (or otherwise edits) a meeting; rooms re-process it. */
  updateMeeting(
    organizer: string,
    eventId: string,
    patch: { start?: string; end?: string; timeZone?: string; subject?: string; rooms?: string[] },
  ) {
    const user = this.user(organizer);
    const svc = calendarService(this.sim);
    const input: Record<string, unknown> = {};
    const tz = patch.timeZone ?? "UTC";
    if (patch.start) input.start = { dateTime: patch.start, timeZone: tz };
    if (patch.end) input.end = { dateTime: patch.end, timeZone: tz };
    if (patch.subject !== undefined) input.subject = patch.subject;
    if (patch.rooms) {
      const current = svc.resolve(user.id, eventId).ev.attendees.filter((a) => a.type !== "resource");
      input.attendees = [
        ...current,
        ...patch.rooms
          .map((r) => this.user(r))
          .map((r) => ({
            type: "resource",
            emailAddress: { address: r.data.mail, name: r.data.displayName },
          })),
      ];
    }
    return this.render(svc.update(user, eventId, input));
  }

  /** Acts as the organizer: cancels a meeting (or one occurrence). */
  cancelMeeting(organizer: string, eventId: string): void {
    calendarService(this.sim).cancel(this.user(organizer), eventId);
  }

  /** Acts as the room (or its delegate): responds to the room's copy, found by id or iCalUId. */
  respondAsRoom(room: string, eventIdOrICalUId: string, action: RoomAction): void {
    const r = this.user(room);
    const svc = calendarService(this.sim);
    const copy = svc.mailbox(r.id).events.get(eventIdOrICalUId) ?? svc.findCopy(r.id, eventIdOrICalUId);
    if (!copy || copy.deleted) throw new Error(`no event ${eventIdOrICalUId} in ${room}'s calendar`);
    const response =
      action === "accept" ? "accepted" : action === "decline" ? "declined" : "tentativelyAccepted";
    svc.respond(r, copy.id, response, true);
  }

  /** The events (singles and masters) of a mailbox, as Graph renders them in UTC. */
  events(mailbox: string) {
    return calendarService(this.sim)
      .listEvents(this.user(mailbox).id)
      .map((ev) => this.render(ev));
  }
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
      c.cancelMeeting(ctx.params.organizer ?? "", ctx.params.eventId ?? "");
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
      c.respondAsRoom(ctx.params.room ?? "", ctx.params.eventId ?? "", action);
      return { status: 200, body: { ok: true } };
    }),
  );
  router.control(
    "GET",
    "/calendar/mailboxes/{mailbox}/events",
    guard((ctx, c) => ({ status: 200, body: { value: c.events(ctx.params.mailbox ?? "") } })),
  );
}

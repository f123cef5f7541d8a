import type { RequestContext, SimResponse } from "../http/context";
import type { Router } from "../http/router";
import { GraphError } from "../http/errors";
import { contextUrl, linkWith, queryOption } from "../http/odata";
import { auth, checkMailboxAccess, type MailboxAccess } from "../auth/permissions";
import type { UserRecord } from "../store/types";
import type { StoredEvent } from "../store/calendars";
import { calendarService } from "./service";
import { renderEvent, etagOf } from "./shapes";
import {
  eventFilter,
  eventOrderBy,
  eventSelect,
  extendedPropertyExpand,
  outputZone,
  pageSize,
} from "./query";
import { parseQueryInstant, preferredTimeZone } from "./time-zones";
import { viewStart, type EventView } from "./views";
import { calendarDelta } from "./delta";
import { getSchedule } from "./schedule";

/**
 * Graph calendar routes on `/users/{id|upn}` and `/me`: events (CRUD, responses, cancel, instances),
 * `calendar/events`, `calendarView`, `calendarView/delta` and `calendar/getSchedule`. Every route
 * checks the token against the mailbox (Entra consent, RBAC for applications, application access
 * policies, delegated folder rights) and takes one of the app's 4 concurrent slots on that mailbox.
 */

export function mailboxOf(ctx: RequestContext, access: MailboxAccess): UserRecord {
  const a = auth(ctx);
  let idOrUpn = ctx.params.user;
  if (idOrUpn === undefined) {
    if (a.kind !== "delegated" || !a.userId)
      throw new GraphError(
        400,
        "BadRequest",
        "/me request is only valid with delegated authentication flow.",
      );
    idOrUpn = a.userId;
  }
  const mailbox = checkMailboxAccess(ctx, idOrUpn, access);
  ctx.sim.throttle.acquire(ctx, mailbox.id);
  return mailbox;
}

function renderOptions(ctx: RequestContext) {
  const { zone, headers } = outputZone(ctx);
  return {
    opts: { zone, select: eventSelect(ctx), extendedProperties: extendedPropertyExpand(ctx) },
    headers,
  };
}

function contextFor(ctx: RequestContext, mailbox: UserRecord, tail: string): string {
  return contextUrl(ctx, `users('${mailbox.data.userPrincipalName}')/${tail}`);
}

function page(
  ctx: RequestContext,
  mailbox: UserRecord,
  items: EventView[],
  contextTail: string,
): SimResponse {
  const { opts, headers } = renderOptions(ctx);
  const { size } = pageSize(ctx);
  const skipRaw = queryOption(ctx, "skip");
  const skip = skipRaw === null ? 0 : Number(skipRaw);
  if (!Number.isInteger(skip) || skip < 0)
    throw new GraphError(400, "ErrorInvalidUrlQuery", "The value of the parameter 'Skip' is invalid.");
  const slice = items.slice(skip, skip + size);
  const body: Record<string, unknown> = {
    "@odata.context": contextFor(ctx, mailbox, contextTail),
    value: slice.map((v) => renderEvent(v, opts)),
  };
  if (skip + size < items.length) body["@odata.nextLink"] = linkWith(ctx, { $skip: String(skip + size) });
  return { status: 200, headers, body };
}

/** A write's request body (an object), else Graph's 400 for an empty request. */
function writeBody(ctx: RequestContext): Record<string, unknown> {
  if (typeof ctx.body !== "object" || ctx.body === null)
    throw new GraphError(
      400,
      "ErrorInvalidRequest",
      "Your request can't be completed. The request body is empty.",
    );
  return ctx.body as Record<string, unknown>;
}

/**
 * The answer to a create or update: the stored event with all extended properties. Times are in the
 * `Prefer: outlook.timezone` zone if one is asked for, else in the zones the event was written with
 * (Graph's "Create event" example without the header answers in the request's "Pacific Standard
 * Time"; reads without the header answer in UTC).
 */
function written(
  ctx: RequestContext,
  mailbox: UserRecord,
  ev: StoredEvent,
  status: number,
  extraHeaders: Record<string, string> = {},
): SimResponse {
  const { headers } = outputZone(ctx);
  const preferred = preferredTimeZone(ctx.headers);
  return {
    status,
    headers: { ...headers, ETag: etagOf(ev.changeKey), ...extraHeaders },
    body: {
      "@odata.context": contextFor(ctx, mailbox, "events/$entity"),
      ...renderEvent(
        { ev },
        { zone: preferred ?? ev.startZone, endZone: preferred ?? ev.endZone, extendedProperties: "all" },
      ),
    },
  };
}

/** The `startDateTime`/`endDateTime` window of calendarView and instances (either spelling). */
function viewWindow(ctx: RequestContext): { from: number; to: number } {
  const from = parseQueryInstant(
    ctx.query.get("startDateTime") ?? ctx.query.get("startdatetime"),
    "startDateTime",
  );
  const to = parseQueryInstant(ctx.query.get("endDateTime") ?? ctx.query.get("enddatetime"), "endDateTime");
  return { from, to };
}

type Handler = (ctx: RequestContext) => SimResponse | Promise<SimResponse>;

export function registerCalendarRoutes(router: Router): void {
  const svc = (ctx: RequestContext) => calendarService(ctx.sim);
  /** Registers a route under /users/{user}/… and /me/…. */
  const both = (method: string, tail: string, handler: Handler) => {
    router.graph(method, `/users/{user}${tail}`, handler);
    router.graph(method, `/me${tail}`, handler);
  };

  /** GET …/events or …/calendar/events: the context URL names the path the client asked for. */
  const listEvents =
    (tail: string): Handler =>
    (ctx) => {
      const mailbox = mailboxOf(ctx, "read");
      const filter = eventFilter(ctx);
      const order = eventOrderBy(ctx) ?? ((a: EventView, b: EventView) => a.ev.createdMs - b.ev.createdMs);
      const items = svc(ctx)
        .listEvents(mailbox.id)
        .filter((e) => !filter || filter(e))
        .map((ev) => ({ ev }))
        .sort(order);
      return page(ctx, mailbox, items, tail);
    };

  const createEvent: Handler = (ctx) => {
    const mailbox = mailboxOf(ctx, "write");
    const { ev } = svc(ctx).create(mailbox, writeBody(ctx));
    // A replayed transactionId returns the event created first (also 201; Graph documents no other status).
    return written(ctx, mailbox, ev, 201, {
      Location: `${ctx.origin}/v1.0/users/${mailbox.id}/events/${ev.id}`,
    });
  };

  const getEvent: Handler = (ctx) => {
    const mailbox = mailboxOf(ctx, "read");
    const view = svc(ctx).resolve(mailbox.id, ctx.params.eventId ?? "");
    const { opts, headers } = renderOptions(ctx);
    return {
      status: 200,
      headers: { ...headers, ETag: etagOf(view.ev.changeKey) },
      body: { "@odata.context": contextFor(ctx, mailbox, "events/$entity"), ...renderEvent(view, opts) },
    };
  };

  const patchEvent: Handler = (ctx) => {
    const mailbox = mailboxOf(ctx, "write");
    const ev = svc(ctx).update(mailbox, ctx.params.eventId ?? "", writeBody(ctx), ctx.headers["if-match"]);
    return written(ctx, mailbox, ev, 200);
  };

  const deleteEvent: Handler = (ctx) => {
    const mailbox = mailboxOf(ctx, "write");
    const view = svc(ctx).resolve(mailbox.id, ctx.params.eventId ?? "");
    const ifMatch = ctx.headers["if-match"];
    if (ifMatch && ifMatch !== "*" && ifMatch !== etagOf(view.ev.changeKey)) {
      throw new GraphError(
        412,
        "ErrorIrresolvableConflict",
        "The change key passed in the request does not match the current change key for the item.",
      );
    }
    svc(ctx).delete(mailbox, ctx.params.eventId ?? "");
    return { status: 204 };
  };

  const respond =
    (kind: "accepted" | "tentativelyAccepted" | "declined"): Handler =>
    (ctx) => {
      const mailbox = mailboxOf(ctx, "write");
      const b = (ctx.body ?? {}) as { comment?: string; sendResponse?: boolean };
      if (b.sendResponse !== undefined && typeof b.sendResponse !== "boolean")
        throw new GraphError(
          400,
          "BadRequest",
          "Cannot convert the literal to the expected type 'Edm.Boolean'.",
        );
      if (b.comment !== undefined && typeof b.comment !== "string")
        throw new GraphError(
          400,
          "BadRequest",
          "Cannot convert the literal to the expected type 'Edm.String'.",
        );
      svc(ctx).respond(mailbox, ctx.params.eventId ?? "", kind, b.sendResponse ?? true, b.comment);
      return { status: 202 };
    };

  const cancel: Handler = (ctx) => {
    const mailbox = mailboxOf(ctx, "write");
    const comment = (ctx.body as { comment?: unknown } | null)?.comment;
    if (comment !== undefined && typeof comment !== "string")
      throw new GraphError(
        400,
        "BadRequest",
        "Cannot convert the literal to the expected type 'Edm.String'.",
      );
    svc(ctx).cancel(mailbox, ctx.params.eventId ?? "", comment);
    return { status: 202 };
  };

  const calendarView: Handler = (ctx) => {
    const mailbox = mailboxOf(ctx, "read");
    const { from, to } = viewWindow(ctx);
    const filter = eventFilter(ctx);
    const order = eventOrderBy(ctx);
    let items = svc(ctx)
      .calendarView(mailbox.id, from, to)
      .filter((v) => !filter || filter(v.ev));
    if (order) items = items.sort(order);
    return page(ctx, mailbox, items, "calendarView");
  };

  const instances: Handler = (ctx) => {
    const mailbox = mailboxOf(ctx, "read");
    const { from, to } = viewWindow(ctx);
    const view = svc(ctx).resolve(mailbox.id, ctx.params.eventId ?? "");
    if (view.ev.type !== "seriesMaster" || view.occurrenceStartMs !== undefined) {
      throw new GraphError(
        400,
        "ErrorInvalidRequest",
        "Your request can't be completed. The specified item is not a recurring master.",
      );
    }
    const items = svc(ctx)
      .calendarView(mailbox.id, from, to)
      .filter((v) => v.ev.id === view.ev.id || v.ev.seriesMasterId === view.ev.id)
      .sort((a, b) => viewStart(a) - viewStart(b));
    return page(ctx, mailbox, items, `events('${view.ev.id}')/instances`);
  };

  for (const base of ["/events", "/calendar/events"]) {
    both("GET", base, listEvents(base.slice(1)));
    both("POST", base, createEvent);
    both("GET", `${base}/{eventId}`, getEvent);
    both("PATCH", `${base}/{eventId}`, patchEvent);
    both("DELETE", `${base}/{eventId}`, deleteEvent);
    both("POST", `${base}/{eventId}/accept`, respond("accepted"));
    both("POST", `${base}/{eventId}/tentativelyAccept`, respond("tentativelyAccepted"));
    both("POST", `${base}/{eventId}/decline`, respond("declined"));
    both("POST", `${base}/{eventId}/cancel`, cancel);
    both("GET", `${base}/{eventId}/instances`, instances);
  }
  both("GET", "/calendarView", calendarView);
  both("GET", "/calendar/calendarView", calendarView);
  both("GET", "/calendarView/delta", (ctx) => calendarDelta(ctx, mailboxOf(ctx, "read")));
  both("GET", "/calendar/calendarView/delta", (ctx) => calendarDelta(ctx, mailboxOf(ctx, "read")));
  both("POST", "/calendar/getSchedule", (ctx) => getSchedule(ctx, mailboxOf(ctx, "read")));
}

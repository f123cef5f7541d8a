import type { RequestContext, SimResponse } from "../http/context";
import { GraphError } from "../http/errors";
import { contextUrl, decodeToken, encodeToken, queryOption } from "../http/odata";
import type { UserRecord } from "../store/types";
import type { StoredEvent } from "../store/calendars";
import { calendarService } from "./service";
import { renderEvent } from "./shapes";
import { outputZone } from "./query";
import { parseQueryInstant } from "./time-zones";
import { instancesOf, occurrenceId, viewId, viewStart, type EventView } from "./views";

/**
 * GET /users/{id}/calendarView/delta?startDateTime&endDateTime (event-delta). The first round returns
 * every instance in the window, page by page (`Prefer: odata.maxpagesize`), then a deltaLink; later
 * rounds return instances changed since, and `@removed: {reason: "deleted"}` entries for deleted ones
 * and for changed events that are now outside the window (as Graph documents it does: "filter the
 * events under @removed for the date range that your scenario requires"). No $select/$filter/$orderby.
 *
 * Delegated access to someone else's calendar (a room): Graph serves the first page but the nextLink
 * page fails with "Access is denied" (open issue microsoft-graph-docs#3997). The simulator reproduces
 * that stricter behaviour by default (`calendarControl.settings.delegatedSharedDeltaNextLinkDenied`),
 * so clients are forced to keep a plain calendarView fallback for that case.
 */

interface DeltaToken {
  /** mailbox id */
  m: string;
  s: number;
  e: number;
  /** generation */
  g: number;
  /** changes after this mailbox sequence (0 = initial round) */
  q: number;
  /** upper bound of the round (mailbox sequence when it started) */
  n: number;
  /** offset within the round (skip tokens only) */
  o?: number;
}

export const calendarDeltaSettings = new WeakMap<object, { delegatedSharedDeltaNextLinkDenied: boolean }>();

function expired(): GraphError {
  return new GraphError(
    410,
    "syncStateNotFound",
    "The sync state generation is not found or has expired. Please start a new sync without a delta token.",
  );
}

export function calendarDelta(ctx: RequestContext, mailbox: UserRecord): SimResponse {
  const svc = calendarService(ctx.sim);
  for (const opt of ["select", "expand", "filter", "orderby", "search"]) {
    if (queryOption(ctx, opt) !== null)
      throw new GraphError(
        400,
        "ErrorInvalidUrlQuery",
        `The query parameter '$${opt}' is not supported with change tracking over the 'CalendarView' resource.`,
      );
  }
  const skip = queryOption(ctx, "skiptoken");
  const delta = queryOption(ctx, "deltatoken");
  let tok: DeltaToken;
  const box = svc.mailbox(mailbox.id);
  if (skip !== null || delta !== null) {
    const t = decodeToken<DeltaToken>((skip ?? delta) as string);
    if (!t || t.m !== mailbox.id || t.g !== svc.cal.generation) throw expired();
    tok = skip !== null ? t : { ...t, q: t.n, n: box.seq, o: 0 };
    const a = ctx.auth;
    const settings = calendarDeltaSettings.get(ctx.sim) ?? { delegatedSharedDeltaNextLinkDenied: true };
    if (
      skip !== null &&
      a?.kind === "delegated" &&
      a.userId !== mailbox.id &&
      settings.delegatedSharedDeltaNextLinkDenied
    ) {
      throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
  } else {
    const s = parseQueryInstant(
      ctx.query.get("startDateTime") ?? ctx.query.get("startdatetime"),
      "startDateTime",
    );
    const e = parseQueryInstant(ctx.query.get("endDateTime") ?? ctx.query.get("enddatetime"), "endDateTime");
    tok = { m: mailbox.id, s, e, g: svc.cal.generation, q: 0, n: box.seq, o: 0 };
  }
  const { zone, headers } = outputZone(ctx);
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(ctx.headers["prefer"] ?? "");
  const size = m ? Math.max(1, Math.min(1000, Number(m[1]))) : 10;

  const entries: Array<{ id: string; removed: boolean; view?: EventView }> = [];
  if (tok.q === 0) {
    for (const v of svc.calendarView(mailbox.id, tok.s, tok.e))
      entries.push({ id: viewId(v), removed: false, view: v });
  } else {
    const seen = new Set<string>();
    const changed = [...box.events.values()]
      .filter((ev) => ev.changeSeq > tok.q && ev.changeSeq <= tok.n)
      .sort((a, b) => a.changeSeq - b.changeSeq);
    const push = (id: string, removed: boolean, view?: EventView) => {
      if (seen.has(id)) return;
      seen.add(id);
      entries.push({ id, removed, view });
    };
    for (const ev of changed) {
      const master: StoredEvent =
        ev.type === "exception" && ev.seriesMasterId ? (box.events.get(ev.seriesMasterId) ?? ev) : ev;
      if (ev.type === "exception" && (ev.deleted || master.deleted)) {
        push(ev.id, true);
        continue;
      }
      if (master.deleted) {
        const alive = { ...master, deleted: false } as StoredEvent;
        const all = instancesOf(alive, box.events, tok.s, tok.e);
        for (const v of all) push(viewId(v), true);
        if (master.type === "singleInstance") push(master.id, true);
        continue;
      }
      const inWindow = instancesOf(master, box.events, tok.s, tok.e);
      for (const v of inWindow) push(viewId(v), false, v);
      if (master.type === "singleInstance" && inWindow.length === 0) push(master.id, true);
      for (const orig of master.cancelledOccurrences)
        if (orig >= tok.s - (master.endMs - master.startMs) && orig < tok.e)
          push(occurrenceId(master.id, orig), true);
    }
    entries.sort((a, b) => (a.view ? viewStart(a.view) : 0) - (b.view ? viewStart(b.view) : 0));
  }
  const offset = tok.o ?? 0;
  const slice = entries.slice(offset, offset + size);
  const body: Record<string, unknown> = {
    "@odata.context": contextUrl(ctx, "Collection(event)"),
    value: slice.map((x) =>
      x.removed || !x.view
        ? { "@odata.type": "#microsoft.graph.event", id: x.id, "@removed": { reason: "deleted" } }
        : { "@odata.type": "#microsoft.graph.event", ...renderEvent(x.view, { zone }) },
    ),
  };
  const base = `${ctx.origin}/v1.0/users/${mailbox.id}/calendarView/delta`;
  if (offset + size < entries.length)
    body["@odata.nextLink"] = `${base}?$skiptoken=${encodeToken({ ...tok, o: offset + size })}`;
  else
    body["@odata.deltaLink"] =
      `${base}?$deltatoken=${encodeToken({ m: tok.m, s: tok.s, e: tok.e, g: tok.g, q: tok.q, n: tok.n })}`;
  return { status: 200, headers, body };
}

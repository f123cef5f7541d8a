import type { RequestContext, SimResponse } from "../http/context";
import { GraphError } from "../http/errors";
import { contextUrl } from "../http/odata";
import { checkMailboxAccess } from "../auth/permissions";
import type { UserRecord } from "../store/types";
import { calendarService } from "./service";
import { outputZone } from "./query";
import { dateTimeTimeZone, parseDateTimeTimeZone } from "./time-zones";
import { viewEnd, viewStart } from "./views";

/**
 * POST /users/{id}/calendar/getSchedule: free/busy of users, rooms and distribution lists (here:
 * mailboxes) for a window. Each schedule has `availabilityView` (one digit per interval: 0 free,
 * 1 tentative, 2 busy, 3 oof, 4 working elsewhere), `scheduleItems` and `workingHours` with its zone.
 * Times are in `Prefer: outlook.timezone` (default UTC).
 */
const DIGIT: Record<string, number> = {
  free: 0,
  tentative: 1,
  busy: 2,
  oof: 3,
  workingElsewhere: 4,
  unknown: 0,
};
/** Which status wins when items overlap within one interval. */
const RANK: Record<number, number> = { 0: 0, 4: 1, 1: 2, 2: 3, 3: 4 };

export function getSchedule(ctx: RequestContext, caller: UserRecord): SimResponse {
  const b = (ctx.body ?? {}) as {
    schedules?: unknown;
    startTime?: unknown;
    endTime?: unknown;
    availabilityViewInterval?: unknown;
  };
  if (!Array.isArray(b.schedules) || b.schedules.length === 0)
    throw new GraphError(400, "ErrorInvalidParameter", "Schedules is required.");
  if (b.schedules.length > 100)
    throw new GraphError(400, "ErrorInvalidParameter", "The number of schedules exceeds the maximum of 100.");
  const start = parseDateTimeTimeZone(b.startTime as never, "StartTime");
  const end = parseDateTimeTimeZone(b.endTime as never, "EndTime");
  if (end.ms <= start.ms)
    throw new GraphError(400, "ErrorInvalidParameter", "The end time must be later than the start time.");
  // Graph limits the window to 62 days; the error wording is not documented.
  if (end.ms - start.ms > 62 * 86_400_000)
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      "The requested time window exceeds the maximum of 62 days.",
    );
  const interval = b.availabilityViewInterval === undefined ? 30 : Number(b.availabilityViewInterval);
  if (!Number.isInteger(interval) || interval < 5 || interval > 1440) {
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      "availabilityViewInterval must be between 5 and 1440 minutes.",
    );
  }
  const { zone, headers } = outputZone(ctx);
  const svc = calendarService(ctx.sim);
  const a = ctx.auth;
  const value = (b.schedules as unknown[]).map((s) => {
    const scheduleId = String(s);
    const user = ctx.sim.store.findUser(scheduleId);
    if (!user) {
      return {
        scheduleId,
        availabilityView: "",
        error: {
          message: `The recipient '${scheduleId}' couldn't be found.`,
          responseCode: "ErrorMailRecipientNotFound",
        },
        scheduleItems: [],
        workingHours: null,
      };
    }
    // App tokens: the mailbox must be in the app's scope (RBAC / access policy). The per-schedule error
    // form for an out-of-scope mailbox is not documented; the simulator reports ErrorAccessDenied there.
    if (a?.kind === "app") {
      try {
        checkMailboxAccess(ctx, user.id, "read");
      } catch {
        return {
          scheduleId,
          availabilityView: "",
          error: {
            message: "Access is denied. Check credentials and try again.",
            responseCode: "ErrorAccessDenied",
          },
          scheduleItems: [],
          workingHours: null,
        };
      }
    }
    // Delegated callers see subject/location only where they may read the calendar (own, or folder rights).
    const role = ctx.sim.store.mailboxes.get(user.id)?.calendarPermissions.get(a?.userId ?? "") ?? "none";
    const details = a?.kind === "app" || user.id === a?.userId || !["none", "freeBusyRead"].includes(role);
    const items = svc
      .calendarView(user.id, start.ms, end.ms)
      .filter((v) => !v.ev.isCancelled && v.ev.showAs !== "free");
    const slots = Math.ceil((end.ms - start.ms) / (interval * 60_000));
    let view = "";
    for (let i = 0; i < slots; i++) {
      const s = start.ms + i * interval * 60_000;
      const e = Math.min(end.ms, s + interval * 60_000);
      let digit = 0;
      for (const v of items) {
        if (viewStart(v) < e && viewEnd(v) > s) {
          const d = DIGIT[v.ev.showAs] ?? 2;
          if ((RANK[d] ?? 0) > (RANK[digit] ?? 0)) digit = d;
        }
      }
      view += String(digit);
    }
    const wh = ctx.sim.store.mailbox(user.id).settings.workingHours;
    return {
      scheduleId,
      availabilityView: view,
      scheduleItems: items.map((v) => {
        const isPrivate = v.ev.sensitivity === "private";
        return {
          isPrivate,
          status: v.ev.showAs,
          ...(details && !isPrivate
            ? { subject: v.ev.subject, location: v.ev.location.displayName ?? "" }
            : {}),
          start: dateTimeTimeZone(viewStart(v), zone),
          end: dateTimeTimeZone(viewEnd(v), zone),
        };
      }),
      workingHours: wh
        ? {
            daysOfWeek: wh.daysOfWeek ?? [],
            startTime: wh.startTime ?? "08:00:00.0000000",
            endTime: wh.endTime ?? "17:00:00.0000000",
            timeZone: {
              name: wh.timeZone?.name ?? ctx.sim.store.mailbox(user.id).settings.timeZone ?? "UTC",
            },
          }
        : null,
    };
  });
  void caller;
  return {
    status: 200,
    headers,
    body: { "@odata.context": contextUrl(ctx, "Collection(microsoft.graph.scheduleInformation)"), value },
  };
}

import type { SoakPerson, SoakStack } from "./stack";

/**
 * The soak's operations, one kind per side of the product: Outlook users in the simulator, staff
 * through the API, room displays through the device API. A kind is a name, a weight in the random mix
 * and a `run` that does one operation and says how it ended (the figures count outcomes per kind).
 */
export interface OperationKind {
  readonly name: string;
  readonly weight: number;
  run(ctx: SoakContext): Promise<string>;
}

/** A meeting an Outlook user made in the simulator and has not cancelled (as far as the soak knows). */
export interface OutlookMeeting {
  readonly organizer: string;
  readonly id: string;
  readonly room: string;
  /** Original starts of the occurrences still there (one for a single meeting). */
  readonly occurrences: number[];
  readonly recurring: boolean;
  readonly minutes: number;
}

/** A booking the API accepted (202), with who made it, or a walk-in a display made. */
export interface AcceptedBooking {
  readonly id: string;
  /** The staff member who booked; none for a walk-in (the room is its organizer). */
  readonly by?: SoakPerson;
  readonly room: string;
  cancelled: boolean;
}

export interface SoakLedger {
  readonly accepted: AcceptedBooking[];
  readonly meetings: OutlookMeeting[];
  /** What the displays did to each booking, in order (when, action, answer, the times answered). */
  readonly displayTrail?: Map<string, string[]>;
}

export interface SoakContext {
  readonly stack: SoakStack;
  readonly random: () => number;
  readonly ledger: SoakLedger;
  /** The first day (UTC midnight, ms) and how many days meetings are spread over. */
  readonly firstDay: number;
  readonly days: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function pick<T>(random: () => number, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
}

/** A random slot: a working-day hour (08:00–17:30 UTC, half hours), 30 or 60 minutes. */
export function randomSlot(ctx: SoakContext, days = ctx.days): { start: number; minutes: number } {
  const day = Math.floor(ctx.random() * days);
  const halfHour = Math.floor(ctx.random() * 19);
  const minutes = ctx.random() < 0.5 ? 30 : 60;
  return { start: ctx.firstDay + day * DAY + 8 * HOUR + halfHour * 30 * 60_000, minutes };
}

/** Local date-time text in UTC for the simulator's control API ("2026-12-04T09:30:00"). */
const local = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
const iso = (ms: number): string => new Date(ms).toISOString();

/** What the soak reads of an answer: a booking's id, a problem's type, a display's schedule. */
interface Answer {
  id?: string;
  type?: string;
  bookingId?: string;
  start?: string;
  end?: string;
  rooms?: { snapshot?: { items?: { id: string; actions?: string[] }[] } }[];
}

async function api(
  ctx: SoakContext,
  who: SoakPerson,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Answer } | "unavailable"> {
  try {
    const res = await ctx.stack.call(who, method, path, body);
    const text = await res.text();
    let parsed: Answer = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // not JSON (e.g. an empty 204)
    }
    return { status: res.status, body: parsed };
  } catch {
    // Refused (host down) or cut (host killed mid-request): the soak counts it, never retries a POST.
    return "unavailable";
  }
}

function outcomeOf(answer: Awaited<ReturnType<typeof api>>): string {
  if (answer === "unavailable") return "unavailable";
  // A problem's type by its last segment ("…/conflict" or "urn:ones:problem:conflict": "conflict").
  const type = answer.body.type?.split(/[/:]/).pop();
  return answer.status < 300 ? String(answer.status) : `${answer.status}${type ? ` ${type}` : ""}`;
}

const outlookCreate = (recurring: boolean): OperationKind => ({
  name: recurring ? "outlook-create-recurring" : "outlook-create",
  weight: recurring ? 6 : 14,
  run(ctx) {
    const organizer = pick(ctx.random, ctx.stack.outlookUsers);
    const room = pick(ctx.random, ctx.stack.rooms.shared);
    if (organizer === undefined || room === undefined) return Promise.resolve("no-room");
    const { start, minutes } = randomSlot(ctx, recurring ? ctx.days - 2 : ctx.days);
    const event = ctx.stack.sim.control.calendar.createMeeting({
      organizer,
      subject: "Soak meeting",
      start: local(start),
      end: local(start + minutes * 60_000),
      rooms: [room],
      ...(recurring
        ? {
            recurrence: {
              pattern: { type: "daily", interval: 1 },
              range: { type: "numbered", startDate: local(start).slice(0, 10), numberOfOccurrences: 3 },
            },
          }
        : {}),
    });
    ctx.ledger.meetings.push({
      organizer,
      id: event.id as string,
      room,
      recurring,
      minutes,
      occurrences: recurring ? [0, 1, 2].map((k) => start + k * DAY) : [start],
    });
    return Promise.resolve("made");
  },
});

const outlookMove: OperationKind = {
  name: "outlook-move",
  weight: 12,
  run(ctx) {
    const meeting = pick(ctx.random, ctx.ledger.meetings);
    if (meeting === undefined) return Promise.resolve("nothing-to-move");
    const calendar = ctx.stack.sim.control.calendar;
    const shift = (Math.floor(ctx.random() * 9) - 4) * 30 * 60_000 || 60 * 60_000;
    if (meeting.recurring) {
      const index = Math.floor(ctx.random() * meeting.occurrences.length);
      const original = meeting.occurrences[index];
      if (original === undefined) return Promise.resolve("nothing-to-move");
      calendar.updateMeeting(meeting.organizer, meeting.id, {
        occurrenceStart: iso(original),
        start: local(original + shift),
        end: local(original + shift + meeting.minutes * 60_000),
      });
      return Promise.resolve("occurrence-moved");
    }
    const { start, minutes } = randomSlot(ctx);
    calendar.updateMeeting(meeting.organizer, meeting.id, {
      start: local(start),
      end: local(start + minutes * 60_000),
    });
    return Promise.resolve("moved");
  },
};

const outlookCancel: OperationKind = {
  name: "outlook-cancel",
  weight: 8,
  run(ctx) {
    const index = Math.floor(ctx.random() * ctx.ledger.meetings.length);
    const meeting = ctx.ledger.meetings[index];
    if (meeting === undefined) return Promise.resolve("nothing-to-cancel");
    const calendar = ctx.stack.sim.control.calendar;
    if (meeting.recurring && meeting.occurrences.length > 1 && ctx.random() < 0.5) {
      const k = Math.floor(ctx.random() * meeting.occurrences.length);
      const [original] = meeting.occurrences.splice(k, 1);
      calendar.cancelMeeting(meeting.organizer, meeting.id, { occurrenceStart: iso(original as number) });
      return Promise.resolve("occurrence-cancelled");
    }
    ctx.ledger.meetings.splice(index, 1);
    calendar.cancelMeeting(meeting.organizer, meeting.id);
    return Promise.resolve("cancelled");
  },
};

/** A staff member books a random room (ONES-only or shared) for the slot `when` draws. */
const staffBooking = (
  name: string,
  weight: number,
  when: (ctx: SoakContext) => { start: number; minutes: number },
): OperationKind => ({
  name,
  weight,
  async run(ctx) {
    const who = pick(ctx.random, ctx.stack.staff);
    const rooms = ctx.stack.rooms;
    const room = pick(ctx.random, ctx.random() < 0.5 ? rooms.onesOnly : rooms.shared);
    if (who === undefined || room === undefined) return "no-room";
    const { start, minutes } = when(ctx);
    const answer = await api(ctx, who, "POST", "/api/bookings", {
      roomIds: [room],
      start: iso(start),
      end: iso(start + minutes * 60_000),
      subject: "Soak booking",
    });
    if (answer !== "unavailable" && answer.status === 202 && answer.body.id !== undefined)
      ctx.ledger.accepted.push({ id: answer.body.id, by: who, room, cancelled: false });
    return outcomeOf(answer);
  },
});

const staffCreate = staffBooking("staff-create", 24, (ctx) => randomSlot(ctx));

/**
 * A meeting about to start (within the next ten minutes, 15 or 30 minutes long), so the room's display
 * can check it in, and extend or end it once it runs. Its time comes from the wall clock, not the seed.
 */
const staffCreateNow = staffBooking("staff-create-now", 6, (ctx) => ({
  start: (Math.ceil(Date.now() / MINUTE) + 1 + Math.floor(ctx.random() * 9)) * MINUTE,
  minutes: ctx.random() < 0.5 ? 15 : 30,
}));

/** A staff action, by its booker, on one of the bookings the API accepted and nobody cancelled through it. */
const onAcceptedBooking = (
  name: string,
  weight: number,
  act: (
    ctx: SoakContext,
    booking: AcceptedBooking & { readonly by: SoakPerson },
    path: string,
  ) => Promise<string>,
): OperationKind => ({
  name,
  weight,
  async run(ctx) {
    const booking = pick(
      ctx.random,
      ctx.ledger.accepted.filter(
        (b): b is AcceptedBooking & { readonly by: SoakPerson } => !b.cancelled && b.by !== undefined,
      ),
    );
    if (booking === undefined) return "no-booking";
    return act(ctx, booking, `/api/bookings/${encodeURIComponent(booking.id)}`);
  },
});

const staffEdit = onAcceptedBooking("staff-edit", 12, async (ctx, booking, path) => {
  const { start, minutes } = randomSlot(ctx);
  const answer = await api(ctx, booking.by, "PATCH", path, {
    start: iso(start),
    end: iso(start + minutes * 60_000),
  });
  return outcomeOf(answer);
});

const staffCancel = onAcceptedBooking("staff-cancel", 8, async (ctx, booking, path) => {
  const answer = await api(ctx, booking.by, "DELETE", path);
  if (answer !== "unavailable" && answer.status < 300) booking.cancelled = true;
  return outcomeOf(answer);
});

/**
 * A room display acts on a meeting its schedule offers the action for (as the display page does: the
 * schedule from the device route, then the action's route with the snapshot item's id).
 */
const displayOnMeeting = (action: "check-in" | "extend" | "end", weight: number): OperationKind => ({
  name: `display-${action}`,
  weight,
  async run(ctx) {
    const display = pick(ctx.random, ctx.stack.displays);
    if (display === undefined) return "no-display";
    const schedule = await api(ctx, display.device, "GET", "/api/displays/schedule");
    if (schedule === "unavailable" || schedule.status !== 200) return `schedule ${outcomeOf(schedule)}`;
    const offered = (schedule.body.rooms ?? [])
      .flatMap((r) => r.snapshot?.items ?? [])
      .filter((i) => i.actions?.includes(action) === true);
    const item = pick(ctx.random, offered);
    if (item === undefined) return `nothing-to-${action}`;
    const asked = new Date().toISOString();
    const answer = await api(ctx, display.device, "POST", `/api/displays/actions/${action}`, {
      itemId: item.id,
      ...(action === "extend" ? { minutes: ctx.random() < 0.5 ? 15 : 30 } : {}),
    });
    noteDisplay(ctx, item.id.split("|")[0] ?? "", asked, action, answer);
    return outcomeOf(answer);
  },
});

/** Notes a display's action on a booking in the ledger's trail (the report names it with a finding). */
function noteDisplay(
  ctx: SoakContext,
  bookingId: string,
  asked: string,
  action: string,
  answer: Awaited<ReturnType<typeof api>>,
): void {
  const trail = ctx.ledger.displayTrail;
  if (trail === undefined || bookingId === "") return;
  const times =
    answer !== "unavailable" && answer.body.end !== undefined
      ? ` ${answer.body.start ?? "?"}|${answer.body.end}`
      : "";
  const lines = trail.get(bookingId) ?? [];
  lines.push(`${asked}→${new Date().toISOString()} ${action} ${outcomeOf(answer)}${times}`);
  trail.set(bookingId, lines);
}

/** A room display books its room now (a walk-in); the walk-in joins the bookings the checks account for. */
const displayBookNow: OperationKind = {
  name: "display-book-now",
  weight: 5,
  async run(ctx) {
    const display = pick(ctx.random, ctx.stack.displays);
    if (display === undefined) return "no-display";
    const asked = new Date().toISOString();
    const answer = await api(ctx, display.device, "POST", "/api/displays/actions/book-now", {
      minutes: 15 * (1 + Math.floor(ctx.random() * 3)),
    });
    if (answer !== "unavailable" && answer.status === 200 && answer.body.bookingId !== undefined) {
      ctx.ledger.accepted.push({ id: answer.body.bookingId, room: display.room, cancelled: false });
      noteDisplay(ctx, answer.body.bookingId, asked, "book-now", answer);
    }
    return outcomeOf(answer);
  },
};

/** The default mix: Outlook users in the simulator, staff through the API, room displays. */
export const operationKinds: readonly OperationKind[] = [
  outlookCreate(false),
  outlookCreate(true),
  outlookMove,
  outlookCancel,
  staffCreate,
  staffCreateNow,
  staffEdit,
  staffCancel,
  displayOnMeeting("check-in", 5),
  displayOnMeeting("extend", 4),
  displayOnMeeting("end", 3),
  displayBookNow,
];

/** One kind drawn by weight. */
export function drawKind(random: () => number, kinds: readonly OperationKind[]): OperationKind {
  const total = kinds.reduce((sum, k) => sum + k.weight, 0);
  let roll = random() * total;
  for (const kind of kinds) {
    roll -= kind.weight;
    if (roll < 0) return kind;
  }
  return kinds[kinds.length - 1] as OperationKind;
}

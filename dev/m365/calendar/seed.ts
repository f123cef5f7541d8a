import type { SimulatorServices } from "../services";
import type { TenantSeed } from "../seed/tenant-seed";
import { DEMO_TENANT_ID } from "../seed/demo-tenant";
import { seededRandom } from "../faults/random";
import type { CalendarProcessing } from "../store/calendars";
import { calendarControl, type MeetingSpec } from "./control";

/**
 * Calendar part of a tenant seed, under `seed.extensions.calendars`:
 *   { processing?: { [roomEmail]: Partial<CalendarProcessing> }, meetings?: MeetingSpec[], demoWeek?: boolean }
 * The demo tenant gets a generated week of meetings (Monday–Friday of the week the simulator starts in,
 * deterministic for a given week) and a few rooms with non-default processing.
 */
export interface CalendarSeed {
  processing?: Record<string, Partial<CalendarProcessing>>;
  meetings?: MeetingSpec[];
  /** Generate the demo week (default: true for the demo tenant, false otherwise). */
  demoWeek?: boolean;
}

const pad = (n: number) => String(n).padStart(2, "0");
const TOPICS = [
  "Weekly sync",
  "Design review",
  "Customer call",
  "1:1",
  "Sprint planning",
  "Budget review",
  "Interview",
  "Architecture review",
  "Quarterly planning",
  "Training",
  "Retrospective",
  "Vendor demo",
];

export function seedCalendars(sim: SimulatorServices, seed: TenantSeed): void {
  const section = (seed.extensions?.calendars ?? {}) as CalendarSeed;
  const control = calendarControl(sim);
  const isDemo = seed.tenantId === DEMO_TENANT_ID;
  if (isDemo) {
    // A few rooms with non-default booking policies, to make the demo show declines.
    const rooms = seed.rooms ?? [];
    const r0 = rooms[0];
    const r1 = rooms[1];
    const reserved = rooms.find((r) => r.bookingType === "reserved");
    if (r0) control.setCalendarProcessing(r0.emailAddress, { maximumDurationInMinutes: 240 });
    if (r1)
      control.setCalendarProcessing(r1.emailAddress, {
        addOrganizerToSubject: false,
        deleteSubject: false,
        deleteComments: false,
      });
    if (reserved) control.setCalendarProcessing(reserved.emailAddress, { automateProcessing: "None" });
  }
  for (const [room, p] of Object.entries(section.processing ?? {})) control.setCalendarProcessing(room, p);
  for (const m of section.meetings ?? []) control.createMeetingEvent(m);
  if (section.demoWeek ?? isDemo) demoWeek(sim, seed);
}

function demoWeek(sim: SimulatorServices, seed: TenantSeed): void {
  const control = calendarControl(sim);
  const rand = seededRandom(20240);
  const now = new Date(sim.clock.now());
  // This week's Monday on weekdays, next week's at weekends, so the demo week is (mostly) ahead.
  const dow = (now.getUTCDay() + 6) % 7; // Monday = 0
  const shift = dow >= 5 ? 7 - dow : -dow;
  const monday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + shift);
  const rooms = (seed.rooms ?? []).filter((r) => r.bookingType !== "reserved");
  const users = seed.users ?? [];
  if (users.length === 0 || rooms.length === 0) return;
  // Each domain's people, computed once (the first 150 in seed order).
  const byDomain = new Map<string, typeof users>();
  for (const u of users) {
    const domain = u.userPrincipalName.slice(u.userPrincipalName.lastIndexOf("@") + 1);
    const list = byDomain.get(domain) ?? [];
    if (list.length < 150) list.push(u);
    byDomain.set(domain, list);
  }
  const peopleOf = (domain: string) => byDomain.get(domain) ?? [];
  const pick = <T>(arr: readonly T[]): T => arr[Math.floor(rand() * arr.length)] as T;
  const day = (offset: number) => {
    const d = new Date(monday + offset * 86_400_000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  };
  rooms.forEach((room, ri) => {
    const domain = room.emailAddress.split("@")[1] ?? "";
    const people = peopleOf(domain);
    if (people.length < 4) return;
    const tz = room.mailboxSettings?.timeZone ?? "UTC";
    // Recurring: a daily stand-up in every fourth room, a weekly review in every sixth.
    let firstFree = 9;
    if (ri % 4 === 0) {
      const organizer = pick(people);
      control.createMeetingEvent({
        organizer: organizer.userPrincipalName,
        subject: "Daily stand-up",
        start: `${day(0)}T09:00:00`,
        end: `${day(0)}T09:15:00`,
        timeZone: tz,
        rooms: [room.emailAddress],
        attendees: [pick(people).userPrincipalName, pick(people).userPrincipalName].filter(
          (a) => a !== organizer.userPrincipalName,
        ),
        recurrence: {
          pattern: {
            type: "weekly",
            interval: 1,
            daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
            firstDayOfWeek: "monday",
          },
          range: { type: "numbered", startDate: day(0), numberOfOccurrences: 10 },
        },
      });
      firstFree = 10;
    }
    if (ri % 6 === 1) {
      const organizer = pick(people);
      control.createMeetingEvent({
        organizer: organizer.userPrincipalName,
        subject: "Weekly review",
        start: `${day(2)}T16:00:00`,
        end: `${day(2)}T17:00:00`,
        timeZone: tz,
        rooms: [room.emailAddress],
        attendees: [pick(people).userPrincipalName].filter((a) => a !== organizer.userPrincipalName),
        recurrence: {
          pattern: { type: "weekly", interval: 1, daysOfWeek: ["wednesday"], firstDayOfWeek: "monday" },
          range: { type: "endDate", startDate: day(2), endDate: day(30) },
        },
      });
    }
    for (let d = 0; d < 5; d++) {
      let hour = firstFree;
      const count = Math.floor(rand() * 4);
      for (let i = 0; i < count && hour < 16; i++) {
        hour += Math.floor(rand() * 2);
        const length = pick([30, 60, 60, 90]);
        if (d === 2 && ri % 6 === 1 && hour + length / 60 > 16) break;
        const organizer = pick(people);
        const startMin = hour * 60;
        const endMin = startMin + length;
        const attendees = [pick(people), pick(people)]
          .map((p) => p.userPrincipalName)
          .filter((a, j, all) => a !== organizer.userPrincipalName && all.indexOf(a) === j);
        control.createMeetingEvent({
          organizer: organizer.userPrincipalName,
          subject: pick(TOPICS),
          body: "Agenda to follow.",
          start: `${day(d)}T${pad(Math.floor(startMin / 60))}:${pad(startMin % 60)}:00`,
          end: `${day(d)}T${pad(Math.floor(endMin / 60))}:${pad(endMin % 60)}:00`,
          timeZone: tz,
          rooms: [room.emailAddress],
          attendees,
          sensitivity: rand() < 0.1 ? "private" : "normal",
        });
        hour = Math.ceil(endMin / 60);
      }
    }
  });
}

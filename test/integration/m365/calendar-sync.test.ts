import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@microsoft/microsoft-graph-client";
import type { Event } from "@microsoft/microsoft-graph-types";
import { DEMO_APPS, type RunningM365Simulator } from "../../../dev/m365";
import type { MeetingMessage } from "../../../dev/m365/store/calendars";
import { demoAppToken, graphFetch, graphFor, startSim } from "./helpers";
import { peopleAt, userToken, utcAt } from "./calendar-helpers";
import { validateShape } from "./graph-shape";

/**
 * What the booking engine and the Outlook-to-ONES sync rely on beyond plain CRUD: online meetings,
 * the room's answers reaching the organizer, cancellations reaching attendees and rooms, an Outlook
 * user's series with a moved and a cancelled occurrence (through the control API), and the room's
 * calendarView/delta reporting all of it.
 */

const M2 = DEMO_APPS.delegatedPermission;
const ROOM = "room-hq-203@contoso.example";
const ROOM2 = "room-hq-204@contoso.example";

interface Page {
  value: Array<Event & { "@removed"?: { reason: string } }>;
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

describe("calendars for booking and sync: online meetings, room answers, cancellations, occurrences, delta", () => {
  let sim: RunningM365Simulator;
  let token: string;
  let graph: Client;
  let organizer: string;
  let colleague: string;

  beforeAll(async () => {
    sim = await startSim();
    token = await demoAppToken(sim);
    graph = graphFor(sim, async () => token);
    const people = peopleAt(sim, "contoso.example").filter((u) => u.data.department !== "Facilities");
    organizer = people[2]?.data.userPrincipalName as string;
    colleague = people[3]?.data.userPrincipalName as string;
  });
  afterAll(async () => {
    await sim.stop();
  });

  const control = (path: string, init: RequestInit = {}) =>
    fetch(`${sim.graphBaseUrl}/_sim${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...(init.headers ?? {}) },
    });

  async function messages(mailbox: string): Promise<MeetingMessage[]> {
    const res = await control(`/calendar/mailboxes/${mailbox}/messages`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { value: MeetingMessage[] }).value;
  }

  async function roomCopy(room: string, iCalUId: string): Promise<Event | undefined> {
    const r = (await graph.api(`/users/${room}/events`).filter(`iCalUId eq '${iCalUId}'`).get()) as {
      value: Event[];
    };
    return r.value[0];
  }

  async function readAll(url: string): Promise<{ items: Page["value"]; deltaLink: string }> {
    const items: Page["value"] = [];
    let next: string | undefined = url;
    for (;;) {
      const res = await graphFetch(sim, token, next, { headers: { Prefer: "odata.maxpagesize=50" } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      items.push(...page.value);
      if (page["@odata.deltaLink"]) return { items, deltaLink: page["@odata.deltaLink"] };
      next = page["@odata.nextLink"];
      if (!next) throw new Error("a delta round must end with a deltaLink");
    }
  }

  it("isOnlineMeeting: Graph initializes onlineMeeting, keeps it online, and every copy carries the join URL", async () => {
    // event resource: "After you set isOnlineMeeting to true, Microsoft Graph initializes onlineMeeting.
    // Subsequently, Outlook ignores any further changes to isOnlineMeeting, and the meeting remains
    // available online."
    const ev = (await graph.api(`/users/${organizer}/events`).post({
      subject: "Teams review",
      start: { dateTime: utcAt(sim, 40, 9), timeZone: "UTC" },
      end: { dateTime: utcAt(sim, 40, 10), timeZone: "UTC" },
      isOnlineMeeting: true,
      attendees: [
        { type: "required", emailAddress: { address: colleague } },
        { type: "resource", emailAddress: { address: ROOM } },
      ],
    })) as Event;
    expect(ev.isOnlineMeeting).toBe(true);
    expect(ev.onlineMeetingProvider).toBe("teamsForBusiness");
    expect(validateShape("microsoft.graph.event", ev as Record<string, unknown>)).toEqual([]);
    const joinUrl = ev.onlineMeeting?.joinUrl as string;
    expect(joinUrl).toMatch(
      /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_[\w-]+%40thread\.v2\/0\?context=/,
    );
    const off = (await graph
      .api(`/users/${organizer}/events/${ev.id}`)
      .patch({ isOnlineMeeting: false })) as Event;
    expect(off.isOnlineMeeting).toBe(true);
    expect(off.onlineMeeting?.joinUrl).toBe(joinUrl);
    expect((await roomCopy(ROOM, ev.iCalUId as string))?.onlineMeeting?.joinUrl).toBe(joinUrl);
    expect((await roomCopy(colleague, ev.iCalUId as string))?.onlineMeeting?.joinUrl).toBe(joinUrl);
    const plain = (await graph.api(`/users/${organizer}/events`).post({
      subject: "In person",
      start: { dateTime: utcAt(sim, 40, 11), timeZone: "UTC" },
      end: { dateTime: utcAt(sim, 40, 12), timeZone: "UTC" },
    })) as Event;
    expect([plain.isOnlineMeeting, plain.onlineMeetingProvider, plain.onlineMeeting]).toEqual([
      false,
      "unknown",
      null,
    ]);
  });

  it("a room's decline reaches the organizer with the rule; cancel sends cancellations to attendees and the room", async () => {
    // Create event: "On behalf of the resource, the server accepts or rejects the meeting request based
    // on the free/busy schedule of the resource." Set-CalendarProcessing MaximumDurationInMinutes:
    // longer meetings are declined.
    const set = await control(`/calendar/processing/${ROOM2}`, {
      method: "PATCH",
      body: JSON.stringify({ maximumDurationInMinutes: 60 }),
    });
    expect(((await set.json()) as { maximumDurationInMinutes: number }).maximumDurationInMinutes).toBe(60);
    const long = (await graph.api(`/users/${organizer}/events`).post({
      subject: "Workshop",
      start: { dateTime: utcAt(sim, 41, 9), timeZone: "UTC" },
      end: { dateTime: utcAt(sim, 41, 11), timeZone: "UTC" },
      attendees: [{ type: "resource", emailAddress: { address: ROOM2 } }],
    })) as Event;
    const seen = (await graph.api(`/users/${organizer}/events/${long.id}`).get()) as Event;
    expect(seen.attendees?.[0]?.status?.response).toBe("declined");
    expect(await roomCopy(ROOM2, long.iCalUId as string)).toBeUndefined();
    const declines = (await messages(organizer)).filter((m) => m.iCalUId === long.iCalUId);
    expect(declines.map((m) => [m.kind, m.from, m.reason])).toEqual([
      ["meetingDeclined", ROOM2, "MaximumDurationInMinutes"],
    ]);

    // event-cancel: "This action allows the organizer of a meeting to send a cancellation message and
    // cancel the event." The attendees' and the room's copies become cancelled.
    const ok = (await graph.api(`/users/${organizer}/events`).post({
      subject: "Short sync",
      start: { dateTime: utcAt(sim, 41, 13), timeZone: "UTC" },
      end: { dateTime: utcAt(sim, 41, 13, 30), timeZone: "UTC" },
      attendees: [
        { type: "required", emailAddress: { address: colleague } },
        { type: "resource", emailAddress: { address: ROOM2 } },
      ],
    })) as Event;
    expect((await roomCopy(ROOM2, ok.iCalUId as string))?.responseStatus?.response).toBe("accepted");
    const cancel = await graphFetch(sim, token, `/users/${organizer}/events/${ok.id}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ comment: "Not needed any more" }),
    });
    expect(cancel.status).toBe(202);
    expect((await graphFetch(sim, token, `/users/${organizer}/events/${ok.id}`)).status).toBe(404);
    const roomSide = await roomCopy(ROOM2, ok.iCalUId as string);
    expect([roomSide?.isCancelled, roomSide?.subject?.startsWith("Canceled: ")]).toEqual([true, true]);
    for (const who of [ROOM2, colleague]) {
      const got = (await messages(who)).filter((m) => m.iCalUId === ok.iCalUId);
      expect(got.map((m) => [m.kind, m.from, m.comment])).toEqual([
        ["meetingCancelled", organizer.toLowerCase(), "Not needed any more"],
      ]);
    }

    // event-decline on the room's behalf (an app with Calendars.ReadWrite on the room): "Decline
    // invitation to the specified event"; with sendResponse (default true) the organizer gets the
    // response with its comment, and the item leaves the room's calendar.
    const later = (await graph.api(`/users/${organizer}/events`).post({
      subject: "Late review",
      start: { dateTime: utcAt(sim, 41, 15), timeZone: "UTC" },
      end: { dateTime: utcAt(sim, 41, 15, 30), timeZone: "UTC" },
      attendees: [{ type: "resource", emailAddress: { address: ROOM2 } }],
    })) as Event;
    const copy = (await roomCopy(ROOM2, later.iCalUId as string)) as Event;
    const decline = await graphFetch(sim, token, `/users/${ROOM2}/events/${copy.id}/decline`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ comment: "Outside business hours (rule businessHours)", sendResponse: true }),
    });
    expect(decline.status).toBe(202);
    expect(await roomCopy(ROOM2, later.iCalUId as string)).toBeUndefined();
    const after = (await graph.api(`/users/${organizer}/events/${later.id}`).get()) as Event;
    expect(after.attendees?.[0]?.status?.response).toBe("declined");
    expect(
      (await messages(organizer))
        .filter((m) => m.iCalUId === later.iCalUId)
        .map((m) => [m.kind, m.from, m.comment]),
    ).toEqual([
      ["meetingAccepted", ROOM2, undefined],
      ["meetingDeclined", ROOM2, "Outside business hours (rule businessHours)"],
    ]);
  });

  it("an Outlook user's series: a moved occurrence that conflicts is declined alone, a cancelled one leaves; the room's delta shows both as @removed", async () => {
    const start = utcAt(sim, 50, 9);
    const day = (n: number, hour: number, minute = 0) => utcAt(sim, 50 + n, hour, minute);
    // A walk-in written straight into the room calendar (no booking attendant) on the third day.
    const walkIn = await control("/calendar/meetings", {
      method: "POST",
      body: JSON.stringify({ organizer: ROOM, subject: "Walk-in", start: day(2, 10), end: day(2, 11) }),
    });
    expect(walkIn.status).toBe(201);
    const created = await control("/calendar/meetings", {
      method: "POST",
      body: JSON.stringify({
        organizer,
        subject: "Daily planning",
        start,
        end: day(0, 9, 30),
        rooms: [ROOM],
        recurrence: {
          pattern: { type: "daily", interval: 1 },
          range: { type: "numbered", startDate: start.slice(0, 10), numberOfOccurrences: 5 },
        },
      }),
    });
    expect(created.status).toBe(201);
    const series = (await created.json()) as Event;
    expect(series.attendees?.find((a) => a.type === "resource")?.status?.response).toBe("accepted");

    const window = `startDateTime=${day(0, 0)}Z&endDateTime=${day(6, 0)}Z`;
    const first = await readAll(`/users/${ROOM}/calendarView/delta?${window}`);
    const occurrenceAt = (hourIso: string) =>
      first.items.find((e) => e.start?.dateTime?.startsWith(hourIso) && e.type === "occurrence")
        ?.id as string;
    const roomThird = occurrenceAt(day(2, 9));
    const roomFifth = occurrenceAt(day(4, 9));
    expect(first.items.filter((e) => e.type === "occurrence")).toHaveLength(5);

    // Move the third occurrence onto the walk-in (the organizer's occurrence id from the control API).
    const third = `${day(2, 9)}Z`;
    const idRes = await control(
      `/calendar/mailboxes/${organizer}/events/${series.id}/occurrences/${encodeURIComponent(third)}`,
    );
    const occId = ((await idRes.json()) as { id: string }).id;
    const listed = (await graph
      .api(`/users/${organizer}/events/${series.id}/instances`)
      .query({ startDateTime: `${third}`, endDateTime: `${day(2, 9, 30)}Z` })
      .get()) as { value: Event[] };
    expect(listed.value.map((e) => e.id)).toEqual([occId]);
    const moved = await control(`/calendar/meetings/${organizer}/${series.id}`, {
      method: "PATCH",
      body: JSON.stringify({ occurrenceStart: third, start: day(2, 10), end: day(2, 10, 30) }),
    });
    expect(moved.status).toBe(200);
    const declined = (await messages(organizer)).filter(
      (m) => m.iCalUId === series.iCalUId && m.kind === "meetingDeclined",
    );
    expect(declined.map((m) => [m.from, m.occurrenceStart, m.reason])).toEqual([
      [ROOM, new Date(third).toISOString(), "AllowConflicts"],
    ]);
    const organizerSeries = (await graph.api(`/users/${organizer}/events/${series.id}`).get()) as Event;
    expect(organizerSeries.attendees?.find((a) => a.type === "resource")?.status?.response).toBe("accepted");

    // Cancel the fifth occurrence.
    const fifth = `${day(4, 9)}Z`;
    const cancelled = await control(`/calendar/meetings/${organizer}/${series.id}/cancel`, {
      method: "POST",
      body: JSON.stringify({ occurrenceStart: fifth }),
    });
    expect(cancelled.status).toBe(200);
    const roomMessages = (await messages(ROOM)).filter((m) => m.iCalUId === series.iCalUId);
    expect(roomMessages.map((m) => [m.kind, m.occurrenceStart])).toEqual([
      ["meetingCancelled", new Date(fifth).toISOString()],
    ]);

    // Plain calendarView on the room: three occurrences of the series and the walk-in remain.
    const view = (await graph
      .api(`/users/${ROOM}/calendarView`)
      .query({ startDateTime: `${day(0, 0)}Z`, endDateTime: `${day(6, 0)}Z` })
      .top(50)
      .get()) as { value: Event[] };
    expect(view.value.map((e) => [e.type, e.start?.dateTime?.slice(0, 16)])).toEqual([
      ["occurrence", day(0, 9).slice(0, 16)],
      ["occurrence", day(1, 9).slice(0, 16)],
      ["singleInstance", day(2, 10).slice(0, 16)],
      ["occurrence", day(3, 9).slice(0, 16)],
    ]);

    // calendarView/delta: "@removed" entries for the declined and the cancelled occurrence.
    const second = await readAll(first.deltaLink.replace(sim.graphBaseUrl + "/v1.0", ""));
    const removed = second.items.filter((e) => e["@removed"]).map((e) => e.id);
    expect(removed).toContain(roomThird);
    expect(removed).toContain(roomFifth);
    expect(second.items.filter((e) => e["@removed"]).every((e) => e["@removed"]?.reason === "deleted")).toBe(
      true,
    );
  });

  it("the same routes under /me with a delegated token, and /calendar/events", async () => {
    const t = await userToken(sim, M2, organizer, ["Calendars.ReadWrite.Shared"]);
    const me = await graphFetch(sim, t, "/me/calendar/events", {
      method: "POST",
      headers: { "content-type": "application/json", Prefer: 'outlook.timezone="UTC"' },
      body: JSON.stringify({
        subject: "Focus",
        start: { dateTime: utcAt(sim, 42, 15), timeZone: "Europe/Amsterdam" },
        end: { dateTime: utcAt(sim, 42, 16), timeZone: "Europe/Amsterdam" },
        transactionId: "7c1d3a8e-1f4b-4b7e-9f63-0d2b8d1c9a11",
      }),
    });
    expect(me.status).toBe(201);
    const ev = (await me.json()) as Event;
    expect(ev.start?.timeZone).toBe("UTC");
    const again = await graphFetch(sim, t, "/me/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        subject: "Focus",
        start: { dateTime: utcAt(sim, 42, 15), timeZone: "Europe/Amsterdam" },
        end: { dateTime: utcAt(sim, 42, 16), timeZone: "Europe/Amsterdam" },
        transactionId: "7c1d3a8e-1f4b-4b7e-9f63-0d2b8d1c9a11",
      }),
    });
    expect(((await again.json()) as Event).id).toBe(ev.id);
    const stale = await graphFetch(sim, t, `/me/events/${ev.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", "If-Match": 'W/"stale"' },
      body: JSON.stringify({ subject: "Moved focus" }),
    });
    expect(stale.status).toBe(412);
    const del = await graphFetch(sim, t, `/me/events/${ev.id}`, {
      method: "DELETE",
      headers: { "If-Match": ev["@odata.etag" as keyof Event] as string },
    });
    expect(del.status).toBe(204);
  });
});

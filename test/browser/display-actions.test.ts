import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHost, type RunningHost } from "../../dev/host";
import { memoryLogger } from "../../dev/host/logger";
import { startWebPubSub, type RunningWebPubSub } from "../../dev/webpubsub";
import { calendarChanges } from "../../functions/calendar-changes";
import { buildDisplay } from "../../scripts/build-display";
import { overrideServices } from "../../shared/composition";
import { getRoom, putRoomPolicy } from "../../shared/composition/bookings";
import { renewSubscriptions } from "../../shared/composition/calendar";
import { issuePairingCode, registerDisplay } from "../../shared/composition/displays";
import { policyRulesSchema } from "../../shared/domain/bookings/policy";
import type { DisplayTarget } from "../../shared/domain/displays/snapshot";
import { startBookingStack, type BookingStack, type Person } from "../integration/bookings/stack";
import { cancelRoomMeetings } from "../integration/m365/calendar-helpers";
import { artifactPath, launchBrowser } from "../support/browser";
import { testClockOffsetMs } from "../support/clock";
import { eventually } from "../support/eventually";

/**
 * The display's actions in Debian's chromium against the whole local stack: bookings through the API
 * (written to the simulator through the local Service Bus) and meetings made in Outlook (the simulator's
 * change notifications to the intake, the `calendar-changes` consumer, the booking sink), the page live
 * over the local Web PubSub, check-in, extend, end and book now pressed on the page, and a floor display
 * seeing another room change. Every room calendar is subscribed, so each change ONES makes comes back
 * through the sink too, as in Azure. The app's clock runs `shift` ahead of the real one; the page
 * follows it through its heartbeat.
 */
let s: BookingStack;
let wps: RunningWebPubSub;
let changes: RunningHost;
let browser: Browser;
let ann: Person;
/** How far the app's clock (and so the page's) runs ahead of the real one: ONES_TEST_NOW, then the tests' moves. */
let shift = testClockOffsetMs();

const ROOM = "room-hq-104@contoso.example";
const NEIGHBOUR = "room-hq-105@contoso.example";
const OUTLOOK_ROOM = "room-hq-106@contoso.example";
const MINUTE = 60_000;

beforeAll(async () => {
  await buildDisplay();
  wps = await startWebPubSub();
  process.env.WEBPUBSUB_CONNECTION_STRING = wps.connectionString;
  process.env.WEBPUBSUB_HUB = "displays";
  s = await startBookingStack("application");
  await overrideServices({ now: () => new Date(Date.now() + shift) });
  // The tests book these rooms from "now": the demo tenant's own meetings there would be in the way on
  // some weekdays and hours, and shown before or after the tests' own.
  for (const room of [ROOM, NEIGHBOUR, OUTLOOK_ROOM]) cancelRoomMeetings(s.auth.sim, room);
  ann = await s.person("ann.panel@contoso.example", "Ann Panel");
  await putRoomPolicy(
    ROOM,
    policyRulesSchema.parse({ name: "Check-in", checkIn: { required: true, graceAfterMinutes: 15 } }),
  );
  changes = await startHost({
    functions: [calendarChanges],
    port: 0,
    env: { SERVICEBUS: s.bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
  // The room sync subscribed every room calendar already; this run finds them all in place.
  const subscribed = await renewSubscriptions();
  // (Some are renewed instead when ONES_TEST_NOW puts the app's clock past half their lifetime.)
  if (subscribed === "not-applicable") throw new Error("application mode subscribes");
  expect([subscribed.failed, subscribed.created, subscribed.unchanged + subscribed.renewed]).toEqual([
    0, 0, 24,
  ]);
  // Each new subscription queued a full read of its room: the seeded meetings come in first.
  const pending = () => {
    const q = s.bus.stats()["calendar-changes"];
    return (q?.active ?? 0) + (q?.locked ?? 0) + (q?.scheduled ?? 0);
  };
  await eventually(() => pending() === 0, { timeoutMs: 120_000, explain: () => `${pending()} queued` });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await changes?.stop();
  await s?.stop();
  await wps?.stop();
  delete process.env.WEBPUBSUB_CONNECTION_STRING;
  delete process.env.WEBPUBSUB_HUB;
});

async function pairedPage(target: DisplayTarget): Promise<Page> {
  const display = await registerDisplay({ name: "Panel", target });
  const { code } = await issuePairingCode(display.id);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${s.auth.host.baseUrl}/display?lang=en&clock=24`);
  await page.getByLabel("Pairing code").fill(code);
  await page.keyboard.press("Enter");
  await page.locator("main.room, main.floor").waitFor();
  await page.locator("[data-testid=not-live]").waitFor({ state: "detached", timeout: 10_000 });
  return page;
}

/** Books through the API; answers the booking id and its start (epoch ms). */
async function book(
  room: string,
  fromMinutes: number,
  toMinutes: number,
  subject: string,
): Promise<{ id: string; start: number }> {
  const base = Math.ceil((Date.now() + shift) / MINUTE) * MINUTE;
  const made = await s.call(ann, "POST", "/api/bookings", {
    roomIds: [room],
    start: new Date(base + fromMinutes * MINUTE).toISOString(),
    end: new Date(base + toMinutes * MINUTE).toISOString(),
    subject,
  });
  expect(made.status).toBe(202);
  return { id: ((await made.json()) as { id: string }).id, start: base + fromMinutes * MINUTE };
}

/** A time as the page shows it on its 24-hour clock in English (00:30 after midnight, never 24:30). */
const hhmm = (ms: number, zone: string): string =>
  new Intl.DateTimeFormat("en", {
    hour: "numeric",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: zone,
  }).format(ms);

/**
 * A start as the page gives it: the time alone on the page's day in the room's zone, else after its
 * weekday (a meeting half an hour away may be tomorrow's).
 */
function shown(ms: number, zone: string): string {
  const day = (at: number) =>
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, dateStyle: "short" }).format(at);
  if (day(ms) === day(Date.now() + shift)) return hhmm(ms, zone);
  return `${new Intl.DateTimeFormat("en", { weekday: "short", timeZone: zone }).format(ms)} ${hhmm(ms, zone)}`;
}

async function bookingEnd(id: string): Promise<string> {
  return ((await (await s.call(ann, "GET", `/api/bookings/${id}`)).json()) as { end: string }).end;
}

const button = (page: Page, action: string) => page.locator(`button[data-action=${action}]`);

describe("display actions on the page", () => {
  it("shows a meeting made in Outlook (the room invited as a resource) within 2 s", async () => {
    const page = await pairedPage({ kind: "room", roomId: OUTLOOK_ROOM });
    const zone = (await getRoom(OUTLOOK_ROOM)).timeZone;
    const base = Math.ceil((Date.now() + shift) / MINUTE) * MINUTE;
    const [from, to] = [base + 30 * MINUTE, base + 60 * MINUTE];
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    s.auth.sim.control.calendar.createMeeting({
      organizer: ann.upn,
      subject: "Planned in Outlook",
      start: iso(from),
      end: iso(to),
      timeZone: "UTC",
      rooms: [OUTLOOK_ROOM],
    });
    // The room's copy carries the organizer's name as its subject (Exchange's default for rooms).
    const next = page.locator("main.room .meeting").nth(1);
    await next.getByText(`${shown(from, zone)} – ${hhmm(to, zone)} · Ann Panel`).waitFor({ timeout: 2_000 });
    expect(await next.locator(".title").innerText()).toBe("Ann Panel");
    expect(await page.locator("main.room").getAttribute("class")).toBe("room status-free");
    expect(await page.getByTestId("status").innerText()).toContain(`Free until ${shown(from, zone)}`);
    await page.screenshot({ path: artifactPath("display-room-outlook.png"), fullPage: true });
  }, 60_000);

  it("shows a new meeting within 2 s, then checks in, extends, ends and books now", async () => {
    const page = await pairedPage({ kind: "room", roomId: ROOM });
    const { id } = await book(ROOM, 2, 32, "Design review");
    await page.getByText("Design review").waitFor({ timeout: 2_000 });
    await eventually(
      async () =>
        ((await (await s.call(ann, "GET", `/api/bookings/${id}`)).json()) as { state: string }).state ===
        "confirmed",
      { timeoutMs: 30_000 },
    );

    // Five minutes on: the meeting is in progress, inside its check-in grace.
    shift += 5 * MINUTE;
    await page.reload();
    await page.getByTestId("status").waitFor();
    await page.locator("main.room.status-busy").waitFor({ timeout: 10_000 });
    await button(page, "check-in").click();
    await page.getByTestId("action-message").getByText("Done.").waitFor();
    await eventually(async () => await button(page, "check-in").isDisabled(), { timeoutMs: 3_000 });
    await page.screenshot({ path: artifactPath("display-room-checked-in.png"), fullPage: true });

    const before = Date.parse(await bookingEnd(id));
    await button(page, "extend").click();
    await eventually(async () => Date.parse(await bookingEnd(id)) === before + 15 * MINUTE, {
      timeoutMs: 5_000,
    });

    // Ended: the room is free at once (not "free soon"), so a walk-in may follow straight away.
    await button(page, "end").click();
    await page.locator("main.room.status-free").waitFor({ timeout: 3_000 });
    expect(Date.parse(await bookingEnd(id))).toBeLessThanOrEqual(Date.now() + shift);
    expect(await button(page, "book-now").isEnabled()).toBe(true);

    await button(page, "book-now").click();
    await page.locator("main.room.status-busy").waitFor({ timeout: 3_000 });
    await page.getByText("Walk-in").first().waitFor();
    await page.screenshot({ path: artifactPath("display-room-walk-in.png"), fullPage: true });
  }, 120_000);

  it("a floor display shows a change in another room of its floor", async () => {
    const neighbour = await getRoom(NEIGHBOUR);
    expect(neighbour.floor.id).not.toBeNull();
    const page = await pairedPage({ kind: "floor", floorId: neighbour.floor.id as string });
    const row = page.locator(`li[data-room="${NEIGHBOUR}"]`);
    const before = await row.innerText();
    expect(before).toContain("Free");
    const { start } = await book(NEIGHBOUR, 1, 40, "Board meeting");
    const expected = `Free until ${shown(start, neighbour.timeZone)}`;
    expect(before).not.toContain(expected);
    await row.getByText(expected).waitFor({ timeout: 2_000 });
    await page.screenshot({ path: artifactPath("display-floor-change.png"), fullPage: true });
  }, 60_000);
});

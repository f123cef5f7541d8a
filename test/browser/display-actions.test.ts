import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../dev/webpubsub";
import { buildDisplay } from "../../scripts/build-display";
import { overrideServices } from "../../shared/composition";
import { getRoom, putRoomPolicy } from "../../shared/composition/bookings";
import { issuePairingCode, registerDisplay } from "../../shared/composition/displays";
import { policyRulesSchema } from "../../shared/domain/bookings/policy";
import type { DisplayTarget } from "../../shared/domain/displays/snapshot";
import { startBookingStack, type BookingStack, type Person } from "../integration/bookings/stack";
import { artifactPath, launchBrowser } from "../support/browser";
import { eventually } from "../support/eventually";

/**
 * The display's actions in Debian's chromium against the whole local stack: bookings through the API
 * (written to the simulator through the local Service Bus), the page live over the local Web PubSub,
 * check-in, extend, end and book now pressed on the page, and a floor display seeing another room change.
 * The app's clock runs `shift` ahead of the real one; the page follows it through its heartbeat.
 */
let s: BookingStack;
let wps: RunningWebPubSub;
let browser: Browser;
let ann: Person;
let shift = 0;

const ROOM = "room-hq-104@contoso.example";
const NEIGHBOUR = "room-hq-105@contoso.example";
const MINUTE = 60_000;

beforeAll(async () => {
  await buildDisplay();
  wps = await startWebPubSub();
  process.env.WEBPUBSUB_CONNECTION_STRING = wps.connectionString;
  process.env.WEBPUBSUB_HUB = "displays";
  s = await startBookingStack("application");
  await overrideServices({ now: () => new Date(Date.now() + shift) });
  ann = await s.person("ann.panel@contoso.example", "Ann Panel");
  await putRoomPolicy(
    ROOM,
    policyRulesSchema.parse({ name: "Check-in", checkIn: { required: true, graceAfterMinutes: 15 } }),
  );
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
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

async function book(room: string, fromMinutes: number, toMinutes: number, subject: string): Promise<string> {
  const base = Math.ceil((Date.now() + shift) / MINUTE) * MINUTE;
  const made = await s.call(ann, "POST", "/api/bookings", {
    roomIds: [room],
    start: new Date(base + fromMinutes * MINUTE).toISOString(),
    end: new Date(base + toMinutes * MINUTE).toISOString(),
    subject,
  });
  expect(made.status).toBe(202);
  return ((await made.json()) as { id: string }).id;
}

async function bookingEnd(id: string): Promise<string> {
  return ((await (await s.call(ann, "GET", `/api/bookings/${id}`)).json()) as { end: string }).end;
}

const button = (page: Page, action: string) => page.locator(`button[data-action=${action}]`);

describe("display actions on the page", () => {
  it("shows a new meeting within 2 s, then checks in, extends, ends and books now", async () => {
    const page = await pairedPage({ kind: "room", roomId: ROOM });
    const id = await book(ROOM, 2, 32, "Design review");
    await page.getByText("Design review").waitFor({ timeout: 2_000 });
    await eventually(
      async () =>
        ((await (await s.call(ann, "GET", `/api/bookings/${id}`)).json()) as { state: string }).state ===
        "confirmed",
      { timeoutMs: 30_000 },
    );

    // Five minutes on: the meeting is in progress, inside its check-in grace.
    shift = 5 * MINUTE;
    await page.reload();
    await page.getByTestId("status").waitFor();
    await eventually(async () => (await page.getByTestId("status").innerText()).includes("Busy"), {
      timeoutMs: 10_000,
    });
    await button(page, "check-in").click();
    await page.getByTestId("action-message").getByText("Done.").waitFor();
    await eventually(async () => await button(page, "check-in").isDisabled(), { timeoutMs: 3_000 });
    await page.screenshot({ path: artifactPath("display-room-checked-in.png"), fullPage: true });

    const before = Date.parse(await bookingEnd(id));
    await button(page, "extend").click();
    await eventually(async () => Date.parse(await bookingEnd(id)) === before + 15 * MINUTE, {
      timeoutMs: 5_000,
    });

    await button(page, "end").click();
    await eventually(async () => (await page.getByTestId("status").innerText()).includes("Free"), {
      timeoutMs: 3_000,
    });
    expect(Date.parse(await bookingEnd(id))).toBeLessThanOrEqual(Date.now() + shift + MINUTE);

    await button(page, "book-now").click();
    await eventually(async () => (await page.getByTestId("status").innerText()).includes("Busy"), {
      timeoutMs: 3_000,
    });
    await page.getByText("Walk-in").first().waitFor();
    await page.screenshot({ path: artifactPath("display-room-walk-in.png"), fullPage: true });
  }, 120_000);

  it("a floor display shows a change in another room of its floor", async () => {
    const floorId = (await getRoom(NEIGHBOUR)).floor.id;
    expect(floorId).not.toBeNull();
    const page = await pairedPage({ kind: "floor", floorId: floorId as string });
    const row = page.locator(`li[data-room="${NEIGHBOUR}"]`);
    expect(await row.innerText()).toContain("Free for the rest of the day");
    await book(NEIGHBOUR, 1, 40, "Board meeting");
    await eventually(async () => (await row.innerText()).includes("Free until"), { timeoutMs: 2_000 });
    await page.screenshot({ path: artifactPath("display-floor-change.png"), fullPage: true });
  }, 60_000);
});

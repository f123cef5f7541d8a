import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningHost } from "../../dev/host";
import type { RunningWebPubSub } from "../../dev/webpubsub";
import { buildDisplay } from "../../scripts/build-display";
import type { RealtimePublisher } from "../../shared/app/ports/realtime-publisher";
import { getServices } from "../../shared/composition/services";
import { issuePairingCode, registerDisplay } from "../../shared/composition/displays";
import type { ScheduleSnapshot } from "../../shared/domain/displays/snapshot";
import { startDisplayStack, type DisplayStack } from "../integration/displays/stack";
import { artifactPath, launchBrowser } from "../support/browser";
import { eventually } from "../support/eventually";

/**
 * The display page in Debian's chromium against the app on the local host, Azurite and the local Web
 * PubSub service: pairing, live snapshots, a cut connection and its recovery, and the floor view.
 */
let stack: DisplayStack;
let wps: RunningWebPubSub;
let host: RunningHost;
let browser: Browser;

beforeAll(async () => {
  await buildDisplay();
  stack = await startDisplayStack();
  ({ wps, host } = stack);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const publisher = (): RealtimePublisher => getServices().realtime;

/** Meetings relative to the real clock (the page runs on the browser's clock). */
function snapshot(roomId: string, version: number, meetings: [number, number, string][]): ScheduleSnapshot {
  const minute = 60_000;
  const base = Math.floor(Date.now() / minute) * minute;
  return {
    type: "schedule",
    roomId,
    version,
    generatedAt: new Date().toISOString(),
    items: meetings.map(([from, to, title], i) => ({
      id: `m${version}-${i}`,
      start: new Date(base + from * minute).toISOString(),
      end: new Date(base + to * minute).toISOString(),
      title,
      organizer: "Megan Bowen",
    })),
  };
}

async function pairedPage(
  target: Parameters<typeof registerDisplay>[0]["target"],
  query = "",
): Promise<Page> {
  const display = await registerDisplay({ name: "Lobby", target });
  const { code } = await issuePairingCode(display.id);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${host.baseUrl}/display${query}`);
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.getByLabel(/Pairing code|配對碼|配对码|ペアリングコード/).fill(code.toLowerCase());
  await page.keyboard.press("Enter");
  return page;
}

const status = (page: Page): Promise<string> => page.getByTestId("status").innerText();

/** WCAG 2 A and AA rules (contrast included) that axe finds broken on the page as it is now. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

describe("the display page", () => {
  it("pairs, shows pushed snapshots live, says 'not live' when cut off and catches up when back", async () => {
    const page = await pairedPage({ kind: "room", roomId: "zugspitze@contoso.com" });
    await eventually(async () => (await status(page)).startsWith("Free"), { timeoutMs: 10_000 });
    await eventually(() => wps.stats().groups["room:zugspitze@contoso.com"] === 1, { timeoutMs: 10_000 });
    const pairedState = await page.evaluate("Object.keys(localStorage).sort()");
    expect(pairedState).toEqual(["ones.display.credential", "ones.display.prefs", "ones.display.schedule"]);

    await publisher().publishSchedule(
      snapshot("zugspitze@contoso.com", 1, [
        [-20, 40, "Quarterly planning"],
        [90, 120, "Design review"],
      ]),
      { floorId: "hq-4" },
    );
    await eventually(async () => (await status(page)).startsWith("Busy"), { timeoutMs: 2_000 });
    expect(await page.locator("main").getAttribute("data-version")).toBe("1");
    expect(await page.getByText("Quarterly planning").count()).toBe(1);
    expect(await page.getByText("Design review").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Check in" }).isDisabled()).toBe(true);
    expect(await page.getByTestId("not-live").count()).toBe(0);
    await page.screenshot({ path: artifactPath("display-room.png") });
    expect(await accessibilityViolations(page)).toEqual([]);

    // Cut: the service drops the socket and refuses new ones; a change happens meanwhile.
    wps.setOffline(true);
    await eventually(async () => (await page.getByTestId("not-live").count()) === 1, { timeoutMs: 5_000 });
    await page.screenshot({ path: artifactPath("display-room-not-live.png") });
    expect(await accessibilityViolations(page)).toEqual([]);
    await publisher().publishSchedule(snapshot("zugspitze@contoso.com", 2, [[60, 90, "Team lunch"]]), {
      floorId: "hq-4",
    });
    expect(await page.locator("main").getAttribute("data-version")).toBe("1");

    wps.setOffline(false);
    await eventually(async () => (await page.getByTestId("not-live").count()) === 0, { timeoutMs: 10_000 });
    let seen = "";
    await eventually(
      async () => {
        seen = `${await page.locator("main").getAttribute("data-version")} ${await page.locator("main").innerText()}`;
        return seen.startsWith("2 ");
      },
      { timeoutMs: 5_000, explain: () => `${seen} ${JSON.stringify(wps.connections())}` },
    );
    expect((await status(page)).split("\n")[0]).toBe("Free");
    expect(await page.getByText("Team lunch").count()).toBe(1);
    await page.context().close();
  });

  it("shows every room of the floor and a change in one of them, in Japanese with a 12-hour clock", async () => {
    const page = await pairedPage({ kind: "floor", floorId: "hq-4" }, "?lang=ja&clock=12");
    await eventually(async () => (await page.locator("li[data-room]").count()) === 3, { timeoutMs: 10_000 });
    await eventually(() => (wps.stats().groups["floor:hq-4"] ?? 0) >= 1, { timeoutMs: 10_000 });
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");

    await publisher().publishSchedule(snapshot("watzmann@contoso.com", 7, [[-5, 5, "1:1"]]), {
      floorId: "hq-4",
    });
    const watzmann = page.locator('li[data-room="watzmann@contoso.com"]');
    await eventually(async () => (await watzmann.getAttribute("data-version")) === "7", { timeoutMs: 2_000 });
    expect(await watzmann.locator(".word").innerText()).toBe("まもなく空き");
    expect(await page.locator('li[data-room="brocken@contoso.com"] .word').innerText()).toBe("空き");
    expect(await page.getByTestId("clock").innerText()).toMatch(/(午前|午後|AM|PM)/);
    await page.screenshot({ path: artifactPath("display-floor.png") });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });

  it("serves the page with a strict Content-Security-Policy", async () => {
    const response = await fetch(`${host.baseUrl}/display`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${wps.endpoint.replace("http:", "ws:")}; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    );
    expect((await fetch(`${host.baseUrl}/display-assets/other.js`)).status).toBe(400);
  });
});

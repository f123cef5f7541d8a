import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminStack, type AdminStack } from "../integration/integration-settings/helpers";
import { launchBrowser } from "../support/browser";
import { cspViolations, expectAccessible, screenshot, signedInContext } from "./harness";

/**
 * The staff pages' shell in chromium against the local host and the M365 simulator: the language taken
 * from the browser (Japanese here) with a switch, the pages' navigation, and what the mode does not
 * allow explained instead of offered.
 */
let s: AdminStack;
let browser: Browser;

beforeAll(async () => {
  s = await startAdminStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await s?.stack.stop();
});

describe("the staff app", () => {
  it("comes in Japanese for a Japanese browser, and switches language", { timeout: 60_000 }, async () => {
    const jar = await s.signInAs("application", "staff");
    const context = await signedInContext(browser, s.stack.host.baseUrl, jar, "ja-JP");
    const page = await context.newPage();
    await page.goto("/app");
    await page.getByRole("heading", { level: 1, name: "会議室を探す" }).waitFor();
    expect(await page.evaluate<string>("document.documentElement.lang")).toBe("ja");
    const nav = page.getByRole("navigation", { name: "ページ" });
    expect(await nav.getByRole("link").allInnerTexts()).toEqual(["会議室を探す", "自分の予約", "承認"]);
    expect(await page.getByRole("button", { name: "サインアウト" }).isVisible()).toBe(true);
    await page.waitForLoadState("networkidle");
    await expectAccessible(page, "staff app (ja)");
    await screenshot(page, "staff-app-ja");

    await nav.getByRole("link", { name: "自分の予約" }).click();
    await page.getByRole("heading", { level: 1, name: "自分の予約" }).waitFor();
    await page.waitForLoadState("networkidle");
    await expectAccessible(page, "my bookings (ja)");
    expect(new URL(page.url()).pathname).toBe("/app/bookings");

    await page.getByRole("combobox", { name: "言語" }).selectOption("en");
    await page.getByRole("heading", { level: 1, name: "My bookings" }).waitFor();
    expect(await page.evaluate<string>("document.documentElement.lang")).toBe("en");
    // The choice is remembered over the browser's language.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "My bookings" }).waitFor();
    expect(await cspViolations(page)).toEqual([]);

    // Sign out: the session ends (its cookie is worthless now) and the browser goes on to Entra's logout.
    const leaving = page.waitForRequest(
      (r) => r.isNavigationRequest() && !r.url().startsWith(s.stack.host.baseUrl),
    );
    await page.getByRole("button", { name: "Sign out" }).click();
    expect(new URL((await leaving).url()).pathname).toMatch(/\/oauth2\/v2\.0\/logout$/);
    expect(
      (await fetch(`${s.stack.host.baseUrl}/api/me`, { headers: { cookie: jar.header() } })).status,
    ).toBe(401);
    await context.close();
  });

  it("explains what a resource-only mode does not allow", { timeout: 60_000 }, async () => {
    const jar = await s.signInAs("application-resource-only", "staff");
    const context = await signedInContext(browser, s.stack.host.baseUrl, jar, "zh-HK");
    const page = await context.newPage();
    await page.goto("/app");
    await page.getByRole("heading", { level: 1, name: "尋找會議室" }).waitFor();
    const note = page.getByTestId("not-in-mode");
    await note.waitFor();
    expect(await note.innerText()).toMatch(/^Application resource only 模式下無法使用：.+。$/);
    await page.goto("/app/approvals");
    await page.getByRole("heading", { level: 1, name: "審核" }).waitFor();
    await page.waitForLoadState("networkidle");
    await expectAccessible(page, "approvals (zh-Hant)");
    await screenshot(page, "staff-app-zh-hant-resource-only");
    await context.close();
  });
});

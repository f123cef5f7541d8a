import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { integrationModes, type IntegrationMode } from "../../shared/domain/integration/modes";
import { getServices } from "../../shared/composition/services";
import {
  startAdminStack,
  withdrawPermission,
  type AdminStack,
} from "../integration/integration-settings/helpers";
import { startSyncQueue } from "../integration/integration-settings/sync-queue";
import { launchBrowser } from "../support/browser";
import { eventually } from "../support/eventually";
import { cspViolations, expectAccessible, screenshot, signedInContext, windowValue } from "./harness";

/**
 * The management console in chromium against the app on the local host, the M365 simulator, Azurite and
 * the local Service Bus: the setup wizard in each mode, the sync page while a sync runs, every page
 * accessible (axe) and under a CSP that blocks inline script, and what the pages show escaped.
 */
let s: AdminStack;
let queue: { stop(): Promise<void> };
let browser: Browser;
const undo: (() => void)[] = [];

beforeAll(async () => {
  s = await startAdminStack();
  queue = await startSyncQueue();
  browser = await launchBrowser();
});
afterEach(() => {
  for (const u of undo.splice(0)) u();
  s.stack.sim.control.faults.reset();
});
afterAll(async () => {
  await browser?.close();
  await queue?.stop();
  await s?.stack.stop();
});

async function adminPage(mode: IntegrationMode, path: string, locale = "en-US"): Promise<Page> {
  const jar = await s.signInAs(mode);
  const context = await signedInContext(browser, s.stack.host.baseUrl, jar, locale);
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

/** Takes one permission away from the mode's demo app until the test ends. */
function withdraw(mode: IntegrationMode, permission: string): void {
  undo.push(withdrawPermission(s.stack, mode, permission));
}

const lacking: Record<IntegrationMode, string> = {
  application: "Group.Read.All",
  delegated: "Calendars.ReadWrite.Shared",
  "delegated-resource-only": "Calendars.ReadWrite.Shared",
  "application-resource-only": "Place.Read.All",
};

const modeName: Record<IntegrationMode, string> = {
  application: "Application permission",
  delegated: "Delegated permission",
  "delegated-resource-only": "Delegated resource only",
  "application-resource-only": "Application resource only",
};

describe("the setup wizard", () => {
  it.each(integrationModes)(
    "%s: a missing permission is shown in the report and saving is refused",
    { timeout: 60_000 },
    async (mode) => {
      const page = await adminPage(mode, "/admin/setup");
      const before = await getServices().integrationStore.get();
      await expect
        .poll(() => page.getByTestId("redirect-uri").inputValue(), { timeout: 20_000 })
        .toBe(`${s.stack.host.baseUrl}/api/auth/callback`);
      // The app registration loses a permission while the admin has the wizard open.
      withdraw(mode, lacking[mode]);
      // The four modes side by side, the saved one chosen.
      for (const m of integrationModes) expect(await page.getByTestId(`mode-${m}`).isVisible()).toBe(true);
      expect(await page.getByRole("radio", { name: modeName[mode] }).isChecked()).toBe(true);
      await page.getByLabel("Name").fill("Contoso rooms");

      await page.getByRole("button", { name: "Test settings" }).click();
      const row = page.getByTestId(`permission-${lacking[mode]}`);
      await row.waitFor();
      expect(await row.getByText("Missing", { exact: true }).isVisible()).toBe(true);
      expect(await page.getByTestId("test-report").getByRole("alert").innerText()).toContain(lacking[mode]);
      await expectAccessible(page, `setup ${mode}`);
      if (mode === "application") await screenshot(page, "admin-setup-missing-permission");

      await page.getByRole("button", { name: "Save the integration" }).click();
      const refusal = page.getByTestId("mode-error");
      await refusal.waitFor();
      expect(await refusal.innerText()).toContain(lacking[mode]);
      expect(await getServices().integrationStore.get()).toEqual(before);
      await page.context().close();
    },
  );

  it(
    "saves once every permission is granted, and offers the Exchange script",
    { timeout: 60_000 },
    async () => {
      const page = await adminPage("application-resource-only", "/admin/setup");
      await page.getByRole("radio", { name: modeName["application-resource-only"] }).check();
      await page.getByLabel("Name").fill("Contoso rooms");
      await page.getByRole("button", { name: "Test settings" }).click();
      await page.getByText("The app registration supports the Application resource only mode.").waitFor();
      const download = page.waitForEvent("download");
      await page.getByRole("link", { name: "Download the Exchange script" }).click();
      expect((await download).suggestedFilename()).toBe("ones-exchange-setup.ps1");
      await page.getByRole("button", { name: "Save the integration" }).click();
      await page.getByText(/^Saved at /).waitFor();
      expect((await getServices().integrationStore.get())?.name).toBe("Contoso rooms");
      await screenshot(page, "admin-setup");
      expect(await cspViolations(page)).toEqual([]);
      await page.context().close();
    },
  );
});

describe("the sync page", () => {
  it("shows a running sync's progress, then its result", { timeout: 180_000 }, async () => {
    const page = await adminPage("application", "/admin/sync");
    const card = page.getByTestId("sync-directory");
    await card.waitFor();
    // The run stops, held by the simulator, once the users are read: it is under way with pages done.
    const release = s.stack.sim.control.faults.hold("/groups");
    await card.getByRole("button", { name: "Run now" }).click();
    const text = (testId: string) =>
      page
        .getByTestId(testId)
        .textContent({ timeout: 1_000 })
        .catch(() => null);
    await eventually(async () => (await text("sync-directory-state")) === "Running", {
      timeoutMs: 60_000,
      explain: () => "the directory sync never showed as running",
    });
    await eventually(async () => /Pages read: [1-9]/.test((await text("sync-directory-progress")) ?? ""), {
      timeoutMs: 60_000,
      explain: () => "the running sync never showed a page read",
    });
    await screenshot(page, "admin-sync-running");
    release();
    await eventually(async () => (await text("sync-directory-state")) === "Succeeded", {
      timeoutMs: 60_000,
      explain: () => "the directory sync never showed as succeeded",
    });
    expect(await page.getByTestId("sync-directory-progress").count()).toBe(0);
    await expectAccessible(page, "sync");
    await page.context().close();
  });
});

describe("every console page", () => {
  const pages = [
    ["/admin/integration", "Integration settings", "admin-integration"],
    ["/admin/advanced", "Advanced settings", "admin-advanced"],
    ["/admin/sync", "Sync", "admin-sync"],
    ["/admin/buildings", "Buildings and time zones", "admin-buildings"],
    ["/admin/rooms/import", "Room import", "admin-room-import"],
    ["/admin/dead-letters", "Dead letters", "admin-dead-letters"],
    ["/admin/policies", "Rooms and policies", "admin-policies"],
    ["/admin/displays", "Displays", "admin-displays"],
  ] as const;

  it(
    "is accessible, keeps to the CSP and shows server validation next to the field",
    { timeout: 90_000 },
    async () => {
      const page = await adminPage("delegated", "/admin/integration");
      for (const [path, title, shot] of pages) {
        await page.goto(path);
        await page.getByRole("heading", { level: 1, name: title }).waitFor();
        await page.waitForLoadState("networkidle");
        await expectAccessible(page, path);
        await screenshot(page, shot);
        expect(await cspViolations(page), path).toEqual([]);
      }
      // A sender address outside the tenant's domains: the server's reason next to the field.
      await page.goto("/admin/advanced");
      const sender = page.getByLabel("Sender address");
      await page.getByTestId("mail-channel").getByText("Mail channel: not-configured").waitFor();
      await sender.fill("ones@elsewhere.example");
      expect(await sender.inputValue()).toBe("ones@elsewhere.example");
      await page.getByRole("button", { name: "Save" }).nth(1).click();
      const field = page
        .locator("div", { has: sender })
        .filter({ hasText: "elsewhere.example is not" })
        .first();
      await field.waitFor({ timeout: 8000 }).catch(async (e: unknown) => {
        await screenshot(page, "debug-advanced");
        throw e;
      });
      expect(await sender.getAttribute("aria-invalid")).toBe("true");
      await page.context().close();
    },
  );

  it("navigates by keyboard: skip link, then the pages' links", { timeout: 30_000 }, async () => {
    const page = await adminPage("application", "/admin/sync");
    await page.getByRole("heading", { level: 1, name: "Sync" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string>("document.activeElement.textContent")).toBe("Skip to the page");
    await page.keyboard.press("Enter");
    expect(await page.evaluate<string>("document.activeElement.id")).toBe("main");
    await page.getByRole("link", { name: "Dead letters" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Dead letters" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/admin/dead-letters");
    await page.context().close();
  });

  it("tells a signed-in person who is not an admin why, and a stranger to sign in", async () => {
    const staffJar = await s.signInAs("application", "staff");
    const context = await signedInContext(browser, s.stack.host.baseUrl, staffJar);
    const page = await context.newPage();
    await page.goto("/admin/setup");
    await page.getByRole("heading", { level: 1, name: "Not available to you" }).waitFor();
    expect(await page.getByRole("button", { name: "Save the integration" }).count()).toBe(0);
    await context.close();
    const stranger = await signedInContext(browser, s.stack.host.baseUrl, undefined);
    const signIn = await stranger.newPage();
    await signIn.goto("/admin/sync");
    const link = signIn.getByRole("link", { name: "Sign in with Microsoft" });
    await link.waitFor();
    expect(await link.getAttribute("href")).toBe("/api/auth/login?returnTo=%2Fadmin%2Fsync");
    await expectAccessible(signIn, "sign-in");
    await screenshot(signIn, "sign-in");
    await stranger.close();
  });
});

describe("hostile input and the Content-Security-Policy", () => {
  it("shows markup from the server as text", { timeout: 30_000 }, async () => {
    const hostile = `<img src=x onerror="window.pwned=1">Contoso</b>`;
    const page = await adminPage("application", "/admin/integration");
    const saved = await getServices().integrationStore.get();
    if (saved === undefined) throw new Error("no integration");
    await getServices().integrationStore.save({ ...saved, name: hostile });
    await page.reload();
    await page.getByText(hostile, { exact: true }).waitFor();
    expect(await page.locator("main img").count()).toBe(0);
    expect(await windowValue(page, "pwned")).toBeUndefined();
    await page.context().close();
  });

  it("blocks inline script, and serves pages with a fresh nonce and assets for a year", async () => {
    const page = await adminPage("application", "/admin/sync");
    await page.getByRole("heading", { level: 1, name: "Sync" }).waitFor();
    await page.evaluate(`
      const script = document.createElement("script");
      script.textContent = "window.inlineRan = true";
      document.body.appendChild(script);
      const handler = document.createElement("div");
      handler.innerHTML = '<img src="data:," onload="window.handlerRan = true">';
      document.body.appendChild(handler);
    `);
    await eventually(async () => (await cspViolations(page)).length >= 2);
    expect(await windowValue(page, "inlineRan")).toBeUndefined();
    expect(await windowValue(page, "handlerRan")).toBeUndefined();
    expect((await cspViolations(page)).every((v) => v.startsWith("script-src"))).toBe(true);
    await page.context().close();

    const first = await fetch(`${s.stack.host.baseUrl}/admin/sync`);
    const second = await fetch(`${s.stack.host.baseUrl}/admin/sync`);
    const nonceOf = (csp: string | null) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];
    const [n1, n2] = [first, second].map((r) => nonceOf(r.headers.get("content-security-policy")));
    expect(n1).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(n1).not.toBe(n2);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const html = await first.text();
    expect(html).toContain(`nonce="${n1}"`);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? "";
    const asset = await fetch(`${s.stack.host.baseUrl}${script}`, { headers: { "accept-encoding": "br" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-encoding")).toBe("br");
    expect((await fetch(`${s.stack.host.baseUrl}/assets/..%2Fadmin%2Findex.html`)).status).toBe(404);
    expect((await fetch(`${s.stack.host.baseUrl}/api/admin/sync`)).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DEMO_APPS } from "../../../dev/m365";
import { memoryLogger } from "../../../dev/host/logger";
import { startLocalStack, type LocalStack } from "../../../dev/stack";
import type { IntegrationMode } from "../../../shared/domain/integration/modes";
import { artifactPath, launchBrowser } from "../../support/browser";

/**
 * What a person following the README does: open the start page of `npm start` in an ordinary browser
 * (headless chromium, no certificate flags, so the simulator's CA is not trusted), follow the admin's
 * sign-in link, pick themselves on the simulator's sign-in page and land back in ONES signed in. The
 * admin then switches the integration to each of the four modes through the admin API and signs in again.
 */
const MODES: Array<{ mode: IntegrationMode; app: { clientId: string; secret: string } }> = [
  { mode: "application", app: DEMO_APPS.applicationPermission },
  { mode: "delegated", app: DEMO_APPS.delegatedPermission },
  { mode: "delegated-resource-only", app: DEMO_APPS.delegatedResourceOnly },
  { mode: "application-resource-only", app: DEMO_APPS.applicationResourceOnly },
];

let stack: LocalStack;
let browser: Browser;
let admin: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, timers: false, logger: memoryLogger() });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** From the start page: the admin's sign-in link, the sign-in page (over http), back to ONES. */
async function signInFromStartPage(page: Page): Promise<{ mode: string; clientId: string }> {
  await page.goto(`${stack.host.baseUrl}/`);
  const link = page.locator('a[href*="/api/auth/login"][href*="loginHint"]');
  admin =
    new URL(`${stack.host.baseUrl}${await link.getAttribute("href")}`).searchParams.get("loginHint") ?? "";
  await link.click();
  await page.waitForURL(/\/oauth2\/v2\.0\/authorize/);
  const signInPage = new URL(page.url());
  expect(signInPage.protocol).toBe("http:");
  expect(signInPage.hostname).toBe("127.0.0.1");
  expect(await page.title()).toBe("Sign in to your account");
  await page.fill('input[name="login_hint_input"]', admin);
  await page.click('button[name="sim_action"]');
  await page.waitForURL(`${stack.host.baseUrl}/api/admin/integration`);
  return JSON.parse((await page.locator("body").innerText()).trim()) as { mode: string; clientId: string };
}

describe("signing in from the start page with an ordinary browser", () => {
  it("works in each of the four demo modes, switched through the admin API", async () => {
    for (const [i, { mode, app }] of MODES.entries()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        const integration = await signInFromStartPage(page);
        expect({ mode: integration.mode, clientId: integration.clientId }).toEqual({
          mode,
          clientId: app.clientId,
        });
        const me = await page.request.get(`${stack.host.baseUrl}/api/me`);
        expect(me.status()).toBe(200);
        expect(((await me.json()) as { isAdmin: boolean }).isAdmin).toBe(true);
        const next = MODES[i + 1];
        if (next !== undefined) {
          const saved = await page.request.put(`${stack.host.baseUrl}/api/admin/integration`, {
            headers: { origin: stack.host.baseUrl },
            data: {
              name: "Demo tenant",
              cloud: "global",
              tenantId: (integration as unknown as { tenantId: string }).tenantId,
              clientId: next.app.clientId,
              clientSecret: next.app.secret,
              mode: next.mode,
            },
          });
          expect(saved.status(), await saved.text()).toBe(200);
        }
      } catch (error) {
        await page.screenshot({ path: artifactPath(`browser-sign-in-${mode}.png`) });
        throw error;
      } finally {
        await context.close();
      }
    }
  }, 120_000);
});

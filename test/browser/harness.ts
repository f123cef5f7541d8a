import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import type { CookieJar } from "../integration/auth/helpers";
import { artifactPath } from "../support/browser";

/**
 * A browser context signed in with `jar`'s session (the sign-in itself runs through the app and the
 * simulator as in the auth tests), in `locale`, recording every CSP violation the pages report.
 */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  jar: CookieJar | undefined,
  locale = "en-US",
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale,
    viewport: { width: 1100, height: 760 },
    reducedMotion: "reduce",
  });
  if (jar !== undefined)
    await context.addCookies(
      [...jar.cookies].map(([name, value]) => ({
        name,
        value,
        url: baseUrl,
        httpOnly: true,
        sameSite: "Lax",
      })),
    );
  // Runs before the page's own scripts (through the DevTools protocol, not as an inline script).
  await context.addInitScript(`
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.cspViolations.push(e.effectiveDirective + " " + e.blockedURI));
  `);
  return context;
}

export const cspViolations = (page: Page): Promise<string[]> =>
  page.evaluate<string[]>("window.cspViolations");

/** A value of the page's window (as JSON), e.g. a marker a blocked script would have set. */
export const windowValue = (page: Page, name: string): Promise<unknown> =>
  page.evaluate<unknown>(`window[${JSON.stringify(name)}]`);

/**
 * Axe on the page as it is: no serious or critical violation (listed by rule and target when any).
 * Fluent's focus manager (tabster) puts `aria-hidden` focus bumpers (`data-tabster-dummy`) around
 * arrow-key groups such as a tag picker's chosen people; they only pass focus on and are kept hidden
 * from screen readers on purpose, so axe's aria-hidden-focus finding on them is left out (as
 * Accessibility Insights does); everything else on the page is checked.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).exclude("[data-tabster-dummy]").analyze();
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, name).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
}

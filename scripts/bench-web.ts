import os from "node:os";
import { chromium, type BrowserContext } from "playwright-core";
import { memoryLogger } from "../dev/host/logger";
import { startLocalStack } from "../dev/stack";
import { chromiumPath } from "../test/support/browser";
import { buildWeb, webBuildIsStale } from "./build-web";
import { printBenchResult } from "./bench/result";

/**
 * The staff app's first load on the local stack (`npm start`'s stack) in headless chromium: the
 * compressed JavaScript it downloads, and the time until it is interactive (the signed-in page shows
 * its heading and its search button takes clicks), each load with an empty cache.
 */
const RUNS = 5;
const JS_BUDGET_KB = 300;

async function main(): Promise<void> {
  if (webBuildIsStale()) await buildWeb({ quiet: true });
  const stack = await startLocalStack({ port: 0, timers: false, logger: memoryLogger() });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  try {
    const base = stack.host.baseUrl;
    const hint = stack.links
      .map((l) => (l.url === undefined ? undefined : new URL(l.url, base).searchParams.get("loginHint")))
      .find((h) => h !== undefined && h !== null);
    if (hint === undefined || hint === null) throw new Error("the local stack names no demo person");
    // Sign in once through the app and the simulator's sign-in page.
    const signIn = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await signIn.newPage();
    await page.goto(`${base}/api/auth/login?returnTo=%2Fapp`);
    await page.locator('input[name="login_hint_input"]').fill(hint);
    await page.locator('button[name="sim_action"][value="hint"]').click();
    await page.waitForURL(`${base}/app`);
    const cookies = (await signIn.cookies()).filter((c) => base.includes(c.domain));
    await signIn.close();

    const jsBytes: number[] = [];
    const tti: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      await context.addCookies(cookies);
      const { bytes, ms } = await firstLoad(context, `${base}/app`);
      jsBytes.push(bytes);
      tti.push(ms);
      await context.close();
    }
    tti.sort((a, b) => a - b);
    const kb = (jsBytes[0] ?? 0) / 1024;
    console.log(`cores: ${os.cpus().length}`);
    console.log(
      `/app first load: ${kb.toFixed(1)} KB of compressed JavaScript (target ≤ ${JS_BUDGET_KB} KB) ${kb <= JS_BUDGET_KB ? "ok" : "OVER"}`,
    );
    console.log(
      `/app time to interactive: median ${tti[Math.floor(RUNS / 2)]?.toFixed(0)} ms over ${RUNS} cold loads (min ${tti[0]?.toFixed(0)}, max ${tti[RUNS - 1]?.toFixed(0)})`,
    );
    printBenchResult({
      bench: "web",
      figures: [
        {
          name: "/app first load, compressed JavaScript",
          value: Number(kb.toFixed(1)),
          unit: "KB",
          target: `≤ ${JS_BUDGET_KB} KB`,
          met: kb <= JS_BUDGET_KB,
        },
        {
          name: "/app time to interactive, median of cold loads",
          value: Math.round(tti[Math.floor(RUNS / 2)] ?? 0),
          unit: "ms",
        },
      ],
    });
  } finally {
    await browser.close();
    await stack.stop();
  }
}

/** One load with an empty cache: JS bytes on the wire (compressed), and ms until the page takes input. */
async function firstLoad(context: BrowserContext, url: string): Promise<{ bytes: number; ms: number }> {
  const page = await context.newPage();
  const scripts: Promise<number>[] = [];
  page.on("requestfinished", (request) => {
    if (request.resourceType() === "script") scripts.push(request.sizes().then((s) => s.responseBodySize));
  });
  const started = performance.now();
  await page.goto(url);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await page.getByRole("button", { name: /search|検索|搜索|搜尋/i }).click({ trial: true });
  const ms = performance.now() - started;
  await page.waitForLoadState("networkidle");
  const bytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
  await page.close();
  return { bytes, ms };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { freePort } from "../../dev/lib/ports";
import { eventually } from "../support/eventually";

/**
 * The quick start as a user runs it: `npm start` serves /api/health and the start page, and Ctrl-C
 * (SIGINT to the whole process group, as a terminal sends it) leaves no process behind.
 */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe("npm start", () => {
  it("serves health within 30 s and stops everything on Ctrl-C", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const child = spawn("npm", ["start"], {
      env: { ...process.env, PORT: String(port) },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    // npm passes Ctrl-C to its child and then ends by the same signal, as a shell expects.
    const exited = new Promise<string>((resolve) =>
      child.once("exit", (code, signal) => resolve(signal ?? `code ${code}`)),
    );

    let health: Response | undefined;
    await eventually(
      async () => {
        health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
        return health !== undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, explain: () => output.slice(-2000) },
    ).catch(() => undefined);
    try {
      expect(health?.status, output).toBe(200);
      const report = (await health?.json()) as { dependencies: Record<string, { status: string }> };
      expect(report.dependencies.webPubSub?.status, output).toBe("up");
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(page).toContain("ONES for Microsoft 365");
      expect(page).toContain("M365 simulator");
      expect(page).toContain("Dev mailbox");
      expect(page).toContain("Web PubSub (local service)");
      // The pages, served by the app itself, never cached.
      const staff = await fetch(`http://127.0.0.1:${port}/app`);
      expect([staff.status, staff.headers.get("cache-control")]).toEqual([200, "no-store"]);
      expect(await staff.text()).toContain('<div id="root"></div>');
    } finally {
      const azuritePort = /Azurite Table service\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      process.kill(-(child.pid ?? 0), "SIGINT");
      expect(["SIGINT", "code 0"]).toContain(await exited);
      expect(azuritePort).toMatch(/^\d+$/);
      // The app may still be closing its services when npm has exited: give it a bounded while.
      const leftovers = (): number[] => [
        ...processesMentioning(`--tablePort ${azuritePort}`),
        ...processesMentioning("dev/start.ts"),
      ];
      await eventually(() => leftovers().length === 0, {
        timeoutMs: 10_000,
        intervalMs: 200,
        explain: () => `left running: ${leftovers().join(", ")}`,
      });
      expect(output).toContain("stopping the local stack");
    }
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });
});

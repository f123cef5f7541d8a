import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../dev/azurite";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { functionCatalog } from "../../../functions/catalog";
import { hostRoute, type HttpFunctionDefinition } from "../../../functions/lib/definition";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { syncRunHandler } from "../../../functions/sync-run";
import { queueSettings } from "../../../shared/app/ports/work-queue";
import { resetServices } from "../../../shared/composition";
import { resetSettings } from "../../../shared/config";
import type { CookieJar } from "../auth/helpers";
import { startAdminStack, type AdminStack } from "../integration-settings/helpers";
import { eventually } from "../../support/eventually";

/**
 * Storage goes away under a running stack: Azurite (its own, with its data in a folder) is stopped
 * while the host, the broker and an admin's session stay. Every HTTP function of the catalogue then
 * answers 503 problem+json with Retry-After, and the `sync-run` consumer keeps rescheduling its
 * message past its attempt budget instead of dead-lettering it. Azurite started again on the same
 * port, the same session, the same host and the waiting message all carry on.
 */
const logger = memoryLogger();
const location = mkdtempSync(path.join(tmpdir(), "ones-outage-"));
let azurite: RunningAzurite;
let s: AdminStack;
let jar: CookieJar;
let bus: RunningServiceBus;
let consumer: RunningHost | undefined;
/** The broker's clock lags an hour behind (scheduled retries wait) except while `release` runs. */
let held = true;
const brokerNow = (): number => Date.now() + (held ? -3_600_000 : 60_000);
function release(): void {
  held = false;
  bus.tick();
  held = true;
}

beforeAll(async () => {
  azurite = await startAzurite({ location });
  s = await startAdminStack({ tablesConnectionString: azurite.connectionString });
  bus = await startServiceBus({
    queues: [{ name: "sync-run", maxDeliveryCount: queueSettings["sync-run"].maxDeliveryCount }],
    now: brokerNow,
  });
  process.env.SERVICEBUS = bus.connectionString;
  resetSettings();
  await resetServices();
  jar = await s.signInAs("application");
}, 60_000);

afterAll(async () => {
  await consumer?.stop();
  await s.stack.stop();
  await bus.stop();
  await azurite.stop();
  rmSync(location, { recursive: true, force: true });
});

/** The API's functions (pages and their assets are files, not table-backed). */
const httpFunctions = functionCatalog.filter(
  (f): f is HttpFunctionDefinition => f.kind === "http" && f.outsideApi !== true,
);

/**
 * Requests that reach no table as this test sends them, and what they answer instead: sign-in is
 * stateless (the integration row is cached by the worker), and the others refuse the request's input
 * or missing device credential before any read.
 */
const answeredWithoutStorage: Record<string, number> = {
  "GET /api/auth/login": 302,
  "GET /api/auth/callback": 401,
  "POST /api/displays/pair": 400,
  "POST /api/displays/heartbeat": 401,
  "POST /api/displays/negotiate": 401,
  "GET /api/displays/schedule": 401,
  "POST /api/graph/notifications": 400,
  "POST /api/graph/lifecycle": 400,
  "POST /api/displays/actions/x": 401,
  // The API description is made from the catalogue, not from storage.
  "GET /api/openapi.json": 200,
};

/** Route parameters a request needs to reach its handler (the values exist or not: storage is down). */
const params: Record<string, string> = { id: "hq", kind: "rooms" };

/** One request per method of every HTTP function, as the admin's browser would send it. */
function requestsOf(f: HttpFunctionDefinition): { label: string; send: () => Promise<Response> }[] {
  const route = hostRoute(f).replace(/\{\*?(\w+)(?::\w+)?\??\}/g, (_, name: string) => params[name] ?? "x");
  return f.methods.map((method) => ({
    label: `${method} /${route}`,
    send: () =>
      fetch(`${s.stack.host.baseUrl}/${route}${f.name === "auth-callback" ? "?code=c&state=s" : ""}`, {
        method,
        redirect: "manual",
        headers: {
          cookie: jar.header(),
          origin: s.stack.host.baseUrl,
          ...(method === "GET" ? {} : { "content-type": "application/json" }),
        },
        ...(method === "GET" ? {} : { body: "{}" }),
      }),
  }));
}

const requests = httpFunctions.flatMap(requestsOf);

describe("a storage outage under a running stack", () => {
  it(
    "answers 503 with Retry-After everywhere, waits out the outage on the queue, and recovers",
    { timeout: 120_000 },
    async () => {
      // An admin's "run now", accepted while storage is up; no consumer runs yet, so it waits on the queue.
      const accepted = await s.call(jar, "POST", "/api/admin/sync/rooms");
      expect(accepted.status).toBe(202);

      await azurite.stop();

      const answers = await Promise.all(
        requests.map(async (r) => {
          const response = await r.send();
          const body = await response.text();
          return {
            label: r.label,
            status: response.status,
            type: response.headers.get("content-type"),
            retryAfter: response.headers.get("retry-after"),
            body,
          };
        }),
      );
      const health = answers.find((a) => a.label === "GET /api/health");
      expect(health?.status).toBe(503);
      expect(JSON.parse(health?.body ?? "{}")).toMatchObject({
        status: "unhealthy",
        dependencies: { tables: { status: "down", required: true } },
      });
      for (const answer of answers.filter((a) => a.label in answeredWithoutStorage)) {
        expect([answer.label, answer.status]).toEqual([answer.label, answeredWithoutStorage[answer.label]]);
      }
      for (const answer of answers.filter((a) => a !== health && !(a.label in answeredWithoutStorage))) {
        expect({
          label: answer.label,
          status: answer.status,
          type: answer.type,
          retryAfter: answer.retryAfter,
        }).toEqual({
          label: answer.label,
          status: 503,
          type: "application/problem+json",
          retryAfter: "5",
        });
        expect(JSON.parse(answer.body)).toMatchObject({
          type: "urn:ones:problem:dependency-unavailable",
          status: 503,
        });
      }
      expect(answers.length).toBe(requests.length);

      // The consumer, with a budget of two attempts, meets the outage. The broker's clock holds each
      // rescheduled attempt until the test releases it, so no attempt is in flight when storage returns.
      consumer = await startHost({
        functions: [
          serviceBusFunction({
            name: "sync-run",
            queueName: "sync-run",
            handler: syncRunHandler({ policy: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 100 } }),
          }),
        ],
        port: 0,
        env: { SERVICEBUS: bus.connectionString },
        logger,
        timers: false,
      });
      // Logged, then rescheduled, then the delivery completed: only the scheduled retry is left.
      const waitFor = (text: string) =>
        eventually(
          () =>
            logger.lines.some((l) => l.includes(text)) &&
            JSON.stringify(bus.stats()["sync-run"]) ===
              JSON.stringify({ active: 0, locked: 0, scheduled: 1, deadLettered: 0 }),
          {
            timeoutMs: 60_000,
            intervalMs: 100,
            explain: () => `${JSON.stringify(bus.stats())}\n${logger.lines.slice(-5).join("\n")}`,
          },
        );
      await waitFor("attempt 1 failed; retrying message");
      release();
      // Past its budget, the work would be dead-lettered; the dead-letter store is down too, so it waits.
      await waitFor("dead letter of attempt 2 not recorded (storage unavailable); retrying message");

      // Storage back on the same port: the same host, session and message carry on.
      azurite = await startAzurite({ port: azurite.port, location });
      release();
      await eventually(
        async () => {
          const report = (await (await s.call(jar, "GET", "/api/admin/sync")).json()) as {
            kinds?: { kind: string; state: string }[];
          };
          return report.kinds?.find((k) => k.kind === "rooms")?.state === "succeeded";
        },
        { timeoutMs: 60_000, intervalMs: 200, explain: () => logger.lines.slice(-5).join("\n") },
      );
      // Attempt 3 ran the sync: nothing failed again, nothing is left on the queue or in a dead letter.
      expect(logger.lines.filter((l) => l.includes("attempt 3"))).toEqual([]);
      // The host completes the message just after the run is recorded.
      await eventually(
        () =>
          JSON.stringify(bus.stats()["sync-run"]) ===
          JSON.stringify({ active: 0, locked: 0, scheduled: 0, deadLettered: 0 }),
        { explain: () => JSON.stringify(bus.stats()) },
      );
      const deadLetters = await s.call(jar, "GET", "/api/admin/dead-letters");
      expect(deadLetters.status).toBe(200);
      expect(((await deadLetters.json()) as { items: unknown[] }).items).toEqual([]);

      const after = await Promise.all(
        requests.map(async (r) => ({ label: r.label, status: (await r.send()).status })),
      );
      expect(after.filter((a) => a.status >= 500 && a.label !== "GET /api/health")).toEqual([]);
      let healthBody = "";
      await eventually(
        async () => {
          const response = await fetch(`${s.stack.host.baseUrl}/api/health`);
          healthBody = await response.text();
          // Only tables were down (this stack's broker has no mail queue for the Service Bus probe).
          return (
            (JSON.parse(healthBody) as { dependencies: { tables: { status: string } } }).dependencies.tables
              .status === "up"
          );
        },
        { timeoutMs: 30_000, intervalMs: 500, explain: () => healthBody },
      );
    },
  );
});

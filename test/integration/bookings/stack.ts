import { DEMO_APPS } from "../../../dev/m365";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { startServiceBus, type RunningServiceBus } from "../../../dev/servicebus";
import { bookingCommands } from "../../../functions/booking-commands";
import { appToken } from "../m365/helpers";
import { queueSettings, queueNames } from "../../../shared/app/ports/work-queue";
import { overrideServices, resetServices } from "../../../shared/composition";
import { runSync } from "../../../shared/composition/sync";
import { resetSettings } from "../../../shared/config";
import type { IntegrationMode } from "../../../shared/domain/integration/modes";
import { apiAccessToken, startAuthStack, type AuthStack } from "../auth/helpers";
import { APP_OF_MODE } from "../sync/harness";

/**
 * The booking stack: the app's HTTP functions on the local host (AuthStack: Azurite, the M365
 * simulator with the demo tenant, real MSAL), the local Service Bus broker with every queue, and the
 * `booking-commands` consumer on a host of its own. Rooms are synced from the simulator's /places.
 * `busNow` drives the broker's clock (scheduled messages come due as the test moves it, then `bus.tick()`).
 *
 * ONES runs on the stack's clock (`now`), not the real one: it starts at BOOKING_CLOCK_START and runs on
 * with real elapsed time (queue retries and leases still see time pass), so the fixed dates the booking
 * tests book (January to April 2027) stay in the future whatever day the suite runs on. The environment
 * variable ONES_BOOKING_TEST_START (an ISO instant, read only here) starts it elsewhere, to show that
 * the tests do not hang on the real date, e.g. `ONES_BOOKING_TEST_START=2026-12-31T23:50:00Z`. A test
 * that overrides services passes `now: stack.now` (or a clock built on it), and reckons "now", "today"
 * and "a while ago" from `stack.now()`. The M365 simulator keeps the real clock (its tokens and
 * subscriptions are made for that), and so places its demo week of meetings from the real date: in the
 * month before a test's fixed dates those meetings can fall on the days the test books.
 */
export interface BookingStack {
  readonly auth: AuthStack;
  readonly bus: RunningServiceBus;
  readonly consumer: RunningHost;
  readonly mode: IntegrationMode;
  /** ONES's clock in this stack (see above). */
  now(): Date;
  /** A person in the simulator, with a Bearer token for the ONES API. */
  person(upn: string, name: string, options?: { admin?: boolean }): Promise<Person>;
  /** The person with a token for another app registration (after the integration changed mode). */
  as(who: Person, clientId: string): Promise<Person>;
  call(who: Person, method: string, path: string, body?: unknown): Promise<Response>;
  /** A Graph GET with an app token of the application mode (reading any mailbox, as Outlook would show it). */
  graph<T>(path: string): Promise<T>;
  graphToken(): Promise<string>;
  stop(): Promise<void>;
}

export interface Person {
  readonly id: string;
  readonly upn: string;
  readonly name: string;
  readonly admin: boolean;
  readonly token: string;
}

/** Where ONES's clock starts in the booking stack: before every date the booking tests book. */
export const BOOKING_CLOCK_START = "2026-12-01T08:00:00Z";

/** ONES's clock for a booking stack: the fixed start (or ONES_BOOKING_TEST_START) running on in real time. */
function bookingClock(): () => Date {
  const wanted = process.env.ONES_BOOKING_TEST_START?.trim();
  const start = Date.parse(wanted === undefined || wanted === "" ? BOOKING_CLOCK_START : wanted);
  if (Number.isNaN(start)) throw new Error(`ONES_BOOKING_TEST_START must be an ISO instant, not "${wanted}"`);
  const startedAt = Date.now();
  return () => new Date(start + (Date.now() - startedAt));
}

export async function startBookingStack(
  mode: IntegrationMode,
  options: { busNow?: () => number } = {},
): Promise<BookingStack> {
  const auth = await startAuthStack();
  const bus = await startServiceBus({
    ...(options.busNow === undefined ? {} : { now: options.busNow }),
    queues: queueNames.map((name) => ({
      name,
      maxDeliveryCount: queueSettings[name].maxDeliveryCount,
      lockDurationMs: queueSettings[name].lockDurationSeconds * 1000,
    })),
  });
  process.env.SERVICEBUS = bus.connectionString;
  resetSettings();
  await resetServices();
  const now = bookingClock();
  await overrideServices({ now });
  await auth.configure(mode, APP_OF_MODE[mode]);
  if (mode === "application" || mode === "application-resource-only") {
    const synced = await runSync("rooms", "timer");
    if (synced.outcome !== "succeeded") throw new Error(`room sync ${synced.outcome}`);
  }
  const consumer = await startHost({
    functions: [bookingCommands],
    port: 0,
    env: { SERVICEBUS: bus.connectionString },
    logger: memoryLogger(),
    timers: false,
  });
  const app = APP_OF_MODE[mode];
  const tokenOf = (oid: string, upn: string, name: string, clientId: string, admin: boolean) =>
    apiAccessToken(auth, {
      aud: clientId,
      iss: `${auth.sim.loginBaseUrl}/${auth.sim.tenantId}/v2.0`,
      tid: auth.sim.tenantId,
      oid,
      name,
      preferred_username: upn,
      scp: "access_as_user",
      roles: admin ? ["ONES.Admin"] : [],
    });
  const graphToken = await appToken(
    auth.sim,
    DEMO_APPS.applicationPermission.clientId,
    DEMO_APPS.applicationPermission.secret,
  );
  return {
    auth,
    bus,
    consumer,
    mode,
    now,
    async person(upn, name, options = {}) {
      const rec = auth.sim.control.addUser({ userPrincipalName: upn, displayName: name });
      const token = await tokenOf(rec.id, upn, name, app.clientId, options.admin === true);
      return { id: rec.id, upn, name, admin: options.admin === true, token };
    },
    async as(who, clientId) {
      return { ...who, token: await tokenOf(who.id, who.upn, who.name, clientId, who.admin) };
    },
    call(who, method, path, body) {
      return fetch(`${auth.host.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${who.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
    },
    graphToken: () => Promise.resolve(graphToken),
    async graph<T>(path: string): Promise<T> {
      const response = await fetch(`${auth.sim.graphBaseUrl}/v1.0${path}`, {
        headers: { authorization: `Bearer ${graphToken}`, prefer: 'outlook.timezone="UTC"' },
      });
      if (!response.ok) throw new Error(`Graph ${path} answered ${response.status}`);
      return (await response.json()) as T;
    },
    async stop() {
      await consumer.stop();
      await auth.stop();
      await bus.stop();
    },
  };
}

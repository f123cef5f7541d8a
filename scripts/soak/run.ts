import { seededRandom } from "../../dev/m365/faults/random";
import { TableBookingStore } from "../../shared/adapters/tables/table-booking-store";
import { TablePendingBookings } from "../../shared/adapters/tables/table-pending-bookings";
import { recoverPendingBookings, STUCK_AFTER_MS } from "../../shared/app/bookings/recover-pending";
import { bookingDependencies } from "../../shared/composition/bookings";
import { calendarUseCases } from "../../shared/composition/calendar";
import { getServices } from "../../shared/composition/services";
import { mailboxId } from "../../shared/domain/rooms/room";
import { eventually } from "../../test/support/eventually";
import { faultDriver, faultKinds, planFaults, type FaultKind } from "./faults";
import { checkInvariants, compareRooms, type InvariantReport } from "./invariants";
import {
  drawKind,
  operationKinds,
  type OperationKind,
  type SoakContext,
  type SoakLedger,
} from "./operations";
import { startSoakStack, type SoakStackOptions } from "./stack";

export interface SoakOptions {
  readonly seed: number;
  readonly operations: number;
  /** No new operation starts after this; the checks still run. */
  readonly timeLimitMs: number;
  /** Operations in flight at once. */
  readonly concurrency?: number;
  readonly faults?: readonly FaultKind[];
  /** Chance per tick of each fault kind (default 0.35). */
  readonly faultRate?: number;
  /** Days the meetings are spread over (default: from 3 for short runs to 10). */
  readonly days?: number;
  /** SIGKILLs of the host over the run. */
  readonly kills?: number;
  readonly kinds?: readonly OperationKind[];
  /** How long quiescence may take before the checks run anyway (and fail). */
  readonly settleTimeoutMs?: number;
  /**
   * The run from the stack's start to the last settle ends within this, whatever the load: the
   * operations stop and each settle gives up (the run then fails on quiescence) in time for the
   * recovery, the reconcile and the checks to follow. Unbounded when omitted.
   */
  readonly budgetMs?: number;
  readonly stack?: Partial<SoakStackOptions>;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly seed: number;
  readonly operationsRun: number;
  readonly seconds: number;
  /** Of those, the operations themselves (the rest: start, settling, reconcile, checks). */
  readonly operationSeconds: number;
  readonly operations: Record<string, Record<string, number>>;
  readonly faults: Record<string, number>;
  /**
   * What the faults did to the app's Graph traffic: the simulator's error answers by status and Graph
   * error code (injected and real, e.g. 409 conflicts), and the token requests Entra answered.
   */
  readonly graph: {
    readonly requests: number;
    readonly errors: Record<string, number>;
    readonly tokenRequests: number;
  };
  readonly divergencesBeforeReconcile: number;
  readonly reconcile:
    { rooms: number; driftFound: number; driftRepaired: number; failed: number } | undefined;
  readonly quiescent: boolean;
  readonly invariants: InvariantReport;
  /** Names of the invariants that failed (empty: the run passed). */
  readonly failed: string[];
}

/** Operations per fault tick. */
const TICK = 20;
const DAY = 86_400_000;

/**
 * One soak run: starts the stack, runs `operations` seeded random operations with faults, calms
 * the faults, lets everything settle (subscriptions renewed, stuck bookings recovered, queues and
 * notifications drained), runs one reconcile, settles again and checks the invariants.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  // Faults draw from their own stream, at ticks only, so a seed gives the same faults every run; each
  // operation draws from a stream of its own index (operations run concurrently).
  const faultRandom = seededRandom(options.seed ^ 0x5eed5);
  const operationRandom = (index: number): (() => number) =>
    seededRandom(Math.imul(options.seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
  const started = Date.now();
  const stack = await startSoakStack({
    sharedRooms: 4,
    onesOnlyRooms: 3,
    staff: 8,
    outlookUsers: 8,
    ...options.stack,
  });
  try {
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const ledger: SoakLedger = { accepted: [], meetings: [], displayTrail: new Map() };
    // Few days for short runs, so operations meet each other; at most ten (inside reconcile's 14).
    const days = options.days ?? Math.max(3, Math.min(10, Math.ceil(options.operations / 150)));
    const ctx: SoakContext = { stack, random: operationRandom(-1), ledger, firstDay: today + DAY, days };
    const kinds = options.kinds ?? operationKinds;
    const ticks = Math.ceil(options.operations / TICK);
    const plan = planFaults(faultRandom, ticks, options.faults ?? faultKinds, options.kills ?? 3);
    const faults = faultDriver(stack, plan, faultRandom, options.faultRate ?? 0.35);
    const counts: Record<string, Record<string, number>> = {};
    const note = (kind: string, outcome: string): void => {
      const row = (counts[kind] ??= {});
      row[outcome] = (row[outcome] ?? 0) + 1;
    };

    let run = 0;
    const opsStarted = Date.now();
    const budgetEnd = started + (options.budgetMs ?? Number.POSITIVE_INFINITY);
    const deadline = Math.min(started + options.timeLimitMs, budgetEnd);
    const concurrency = options.concurrency ?? 4;
    for (let tick = 0; tick < ticks && Date.now() < deadline; tick++) {
      await faults.tick(tick);
      // The timers ONES runs in Azure, as they would fire over a working day, now and then.
      if (tick % 5 === 4) await renewSubscriptions(log);
      const batch = Math.min(TICK, options.operations - run);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < batch && Date.now() < deadline) {
            const random = operationRandom(run + next++);
            const kind = drawKind(random, kinds);
            let outcome: string;
            try {
              outcome = await kind.run({ ...ctx, random });
            } catch (error) {
              outcome = `refused: ${error instanceof Error ? error.message.slice(0, 60) : "?"}`;
            }
            note(kind.name, outcome);
          }
        }),
      );
      run += next;
      if (tick % 10 === 9) log(`  … ${run} operations (${Math.round((Date.now() - started) / 1000)} s)`);
    }

    const operationSeconds = Math.round((Date.now() - opsStarted) / 1000);
    log("faults off; settling");
    await faults.calm();
    await renewSubscriptions(log);
    // Each settle within the budget's remainder (at least a moment, so a calm run still passes).
    const settleTimeout = (): number =>
      Math.max(2_000, Math.min(options.settleTimeoutMs ?? 120_000, budgetEnd - Date.now()));
    let quiescent = await settle(stack, settleTimeout(), log);
    // What a killed worker left pending is picked up by the recovery timer, as in Azure.
    const recovery = await recoverPendingBookings({
      ...bookingDependencies(),
      pending: new TablePendingBookings(getServices().tables),
      // The sweep's quarter of an hour, passed: everything still pending counts as stuck.
      now: () => new Date(Date.now() + STUCK_AFTER_MS + 60_000),
    });
    log(
      `recovery: ${recovery.rewritten} writes, ${recovery.relooked} last looks, ${recovery.cancels} cancels, ${recovery.occurrences} occurrence changes and ${recovery.releases} releases queued again`,
    );
    quiescent = (await settle(stack, settleTimeout(), log)) && quiescent;
    const window = { from: today, to: today + 14 * DAY };
    const before = await compareRooms(stack, window.from, window.to);
    log(`divergences before reconcile: ${before.divergences.length}`);
    // What the reconcile is left to repair (the checks after it say whether it did).
    for (const line of before.divergences.slice(0, 40)) log(`  before reconcile: ${line}`);
    const counted = await calendarUseCases(getServices()).reconcile();
    const reconcile = counted === "not-applicable" ? undefined : counted;
    quiescent = (await settle(stack, settleTimeout(), log)) && quiescent;
    const invariants = await namedOnesOnly(await checkInvariants(stack, ledger, window));
    const failed = [
      ...(invariants.divergences.length > 0 ? ["store equals room calendars"] : []),
      ...(invariants.doubleBooked.length > 0 ? ["no double booking"] : []),
      ...(invariants.lost.length > 0 ? ["no lost booking"] : []),
      ...(invariants.duplicateEvents.length > 0 ? ["no duplicate Graph event"] : []),
      ...(invariants.duplicateMails.length > 0 ? ["every mail sent once"] : []),
      ...(quiescent ? [] : ["quiescence"]),
    ];
    return {
      seed: options.seed,
      operationsRun: run,
      seconds: Math.round((Date.now() - started) / 1000),
      operationSeconds,
      operations: counts,
      faults: Object.fromEntries(faults.counts),
      graph: graphTraffic(stack),
      divergencesBeforeReconcile: before.divergences.length,
      reconcile,
      quiescent,
      invariants,
      failed,
    };
  } finally {
    await stack.stop();
  }

  async function renewSubscriptions(write: (line: string) => void): Promise<void> {
    try {
      await calendarUseCases(getServices()).maintainSubscriptions();
    } catch (error) {
      // A Graph fault can fail a renewal run; the next one (or the settle phase's) makes up for it.
      write(`subscription renewal failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Names the ONES booking behind each time found "only in ONES" (its source, state and whether an event
 * is linked), so a finding can be traced to the side that made it (a display's walk-in, staff, Outlook).
 */
async function namedOnesOnly(report: InvariantReport): Promise<InvariantReport> {
  const store = new TableBookingStore(getServices().tables);
  const divergences = await Promise.all(
    report.divergences.map(async (line) => {
      const found = /^(\S+): only in ONES (\S+)\|(\S+)$/.exec(line);
      if (found === null) return line;
      const [, room = "", from = "", to = ""] = found;
      const start = Date.parse(from);
      const end = Date.parse(to);
      const slot = (await store.roomSlots(mailboxId(room), start, end)).find(
        (s) => s.start === start && s.end === end,
      );
      const booking = slot === undefined ? undefined : (await store.get(slot.bookingId))?.booking;
      if (booking === undefined) return line;
      const linked = booking.calendar?.eventId === undefined ? "no event linked" : "event linked";
      return `${line}: ONES booking ${booking.id} (${booking.source}, ${booking.state}, ${linked})`;
    }),
  );
  return { ...report, divergences };
}

function graphTraffic(stack: Awaited<ReturnType<typeof startSoakStack>>): SoakReport["graph"] {
  const log = stack.sim.control.log;
  const graph = log.entries({ kind: "graph" });
  const errors: Record<string, number> = {};
  for (const e of graph) {
    if (e.status < 400) continue;
    const key = `${e.status}${e.errorCode === undefined ? "" : ` ${e.errorCode}`}`;
    errors[key] = (errors[key] ?? 0) + 1;
  }
  const tokenRequests = log.entries({ kind: "entra" }).filter((e) => e.path.endsWith("/token")).length;
  return { requests: graph.length, errors, tokenRequests };
}

/**
 * Waits until nothing is left to do: no message on any queue (ready, locked or scheduled) and no
 * notification waiting for delivery, twice in a row a second apart. False on timeout.
 */
async function settle(
  stack: Awaited<ReturnType<typeof startSoakStack>>,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<boolean> {
  let calmSince: number | undefined;
  const busy = (): string[] =>
    Object.entries(stack.bus.stats())
      .filter(([, c]) => c.active + c.locked + c.scheduled > 0)
      .map(([q, c]) => `${q} ${c.active}/${c.locked}/${c.scheduled}`)
      .concat(
        stack.sim.control.notifications.pendingCount() > 0
          ? [`notifications ${stack.sim.control.notifications.pendingCount()}`]
          : [],
      );
  try {
    await eventually(
      () => {
        if (busy().length > 0) {
          calmSince = undefined;
          return false;
        }
        calmSince ??= Date.now();
        return Date.now() - calmSince >= 1_000;
      },
      { timeoutMs, intervalMs: 200, explain: () => busy().join(", ") },
    );
    return true;
  } catch (error) {
    log(`not quiescent: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

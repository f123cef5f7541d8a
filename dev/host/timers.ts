import { randomUUID } from "node:crypto";
import { InvocationContext, type Timer } from "@azure/functions";
import { Cron } from "croner";
import type { TimerFunctionDefinition } from "../../functions/lib/definition";
import type { HostLogger } from "./logger";

/**
 * Resolves a timer schedule as the Functions host does: `%NAME%` takes the app setting NAME; the result
 * must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}).
 */
export function resolveSchedule(schedule: string, env: Readonly<Record<string, string | undefined>>): string {
  const resolved = schedule.replace(/%([^%]+)%/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value.trim() === "")
      throw new Error(`timer schedule refers to app setting ${name}, which is not set`);
    return value.trim();
  });
  if (resolved.split(/\s+/).length !== 6) {
    throw new Error(`timer schedule "${resolved}" is not a six-field NCRONTAB expression`);
  }
  return resolved;
}

export interface RunningTimers {
  /** Runs a timer function now, as the host's admin endpoint does (tests, start page). */
  trigger(name: string): Promise<void>;
  stop(): void;
}

export function startTimers(
  timers: readonly TimerFunctionDefinition[],
  options: { env: Readonly<Record<string, string | undefined>>; logger: HostLogger; enabled: boolean },
): RunningTimers {
  const jobs = new Map<string, Cron>();
  const lastRun = new Map<string, Date>();

  const run = async (definition: TimerFunctionDefinition, job: Cron | undefined): Promise<void> => {
    const now = new Date();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: (lastRun.get(definition.name) ?? now).toISOString(),
        next: (job?.nextRun() ?? now).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    lastRun.set(definition.name, now);
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: definition.name,
      logHandler: (level, ...args) => options.logger.log(level, definition.name, args),
    });
    try {
      await definition.handler(timer, context);
    } catch (error) {
      options.logger.error(
        definition.name,
        `timer run failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  for (const definition of timers) {
    const pattern = resolveSchedule(definition.schedule, options.env);
    if (!options.enabled) continue;
    // `protect` skips a tick while the previous run is still going, as the host's singleton lock does.
    // The Functions host reads NCRONTAB in UTC (unless WEBSITE_TIME_ZONE is set); so does the local host.
    const job = new Cron(pattern, { protect: true, unref: true, timezone: "UTC" }, () =>
      run(definition, jobs.get(definition.name)),
    );
    jobs.set(definition.name, job);
    if (definition.runOnStartup === true) void run(definition, job);
  }

  return {
    trigger: async (name) => {
      const definition = timers.find((t) => t.name === name);
      if (definition === undefined) throw new Error(`no timer function named ${name}`);
      await run(definition, jobs.get(name));
    },
    stop: () => jobs.forEach((job) => job.stop()),
  };
}

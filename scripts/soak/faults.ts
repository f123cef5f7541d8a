import type { SoakStack } from "./stack";

/**
 * The soak's faults, drawn from the run's seed. Every `tick` (a fixed number of operations) the
 * Graph faults of the simulator are drawn afresh (5xx with or without Retry-After, slow answers, a
 * 429 storm with Retry-After), and so are the notification faults (dropped, duplicated, delayed,
 * reordered); subscriptions are expired or sent lifecycle events; every access token Entra issued so
 * far is expired early (Graph answers 401 InvalidAuthenticationToken until the app acquires a new one);
 * and at planned ticks the host is killed with SIGKILL, to be started again a tick later.
 */
export const faultKinds = [
  "graph-5xx",
  "graph-slow",
  "graph-429-storm",
  "notification-drop",
  "notification-duplicate",
  "notification-delay",
  "notification-reorder",
  "subscription-expired",
  "lifecycle-missed",
  "lifecycle-reauthorization",
  "lifecycle-removed",
  "token-expired",
  "host-sigkill",
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultPlan {
  /** Fault kinds in use (all by default). */
  readonly kinds: ReadonlySet<FaultKind>;
  /** Ticks at which the host is killed. */
  readonly killTicks: ReadonlySet<number>;
}

export function planFaults(
  random: () => number,
  ticks: number,
  kinds: readonly FaultKind[] = faultKinds,
  kills = 3,
): FaultPlan {
  const killTicks = new Set<number>();
  // Kills spread over the run on distinct ticks, none in the first or last tick (the host restarts a
  // tick later).
  const wanted = Math.min(kills, Math.max(0, ticks - 2));
  while (killTicks.size < wanted) killTicks.add(1 + Math.floor(random() * (ticks - 2)));
  return { kinds: new Set(kinds), killTicks };
}

export interface FaultDriver {
  /** Applies this tick's faults; resolves once a killed host is down or a restarted one is up. */
  tick(index: number): Promise<void>;
  /** Every fault off, holds released, the host up. */
  calm(): Promise<void>;
  readonly counts: Map<FaultKind, number>;
}

export function faultDriver(
  stack: SoakStack,
  plan: FaultPlan,
  random: () => number,
  rate: number,
): FaultDriver {
  const counts = new Map<FaultKind, number>();
  const graph = stack.sim.control.faults;
  const notifications = stack.sim.control.notifications;
  const on = (kind: FaultKind): boolean => plan.kinds.has(kind) && random() < rate;
  const count = (kind: FaultKind): void => {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  };
  const seed = (): number => Math.floor(random() * 2 ** 31);
  const subscriptionIds = (): string[] => notifications.subscriptions().map((s) => s.data.id);

  return {
    counts,
    async tick(index) {
      if (!stack.host.running) await stack.host.start();

      const errors = on("graph-5xx");
      const slow = on("graph-slow");
      if (errors) count("graph-5xx");
      if (slow) count("graph-slow");
      graph.configure({
        seed: seed(),
        errorRate: errors ? 0.08 : 0,
        errorStatus: ([500, 502, 503, 504] as const)[Math.floor(random() * 4)] ?? 503,
        latencyMs: slow ? [20, 400] : [0, 0],
        retryAfterSeconds: 1,
      });
      if (on("graph-429-storm")) {
        count("graph-429-storm");
        graph.throttleStorm(3 + Math.floor(random() * 12), 1);
      }

      const drop = on("notification-drop");
      const duplicate = on("notification-duplicate");
      const delay = on("notification-delay");
      const reorder = on("notification-reorder");
      for (const [kind, yes] of [
        ["notification-drop", drop],
        ["notification-duplicate", duplicate],
        ["notification-delay", delay],
        ["notification-reorder", reorder],
      ] as const)
        if (yes) count(kind);
      notifications.faults({
        seed: seed(),
        dropRate: drop ? 0.3 : 0,
        duplicateRate: duplicate ? 0.3 : 0,
        delayMs: delay ? 1_500 : 0,
        reorder,
      });

      const lifecycle: [FaultKind, "missed" | "reauthorizationRequired" | "subscriptionRemoved"][] = [
        ["lifecycle-missed", "missed"],
        ["lifecycle-reauthorization", "reauthorizationRequired"],
        ["lifecycle-removed", "subscriptionRemoved"],
      ];
      for (const [kind, event] of lifecycle) {
        if (!on(kind)) continue;
        const id = pickId(random, subscriptionIds());
        if (id !== undefined && notifications.triggerLifecycle(id, event)) count(kind);
      }
      if (on("subscription-expired")) {
        const id = pickId(random, subscriptionIds());
        if (id !== undefined) {
          notifications.expireSubscription(id);
          count("subscription-expired");
        }
      }

      if (on("token-expired")) {
        stack.sim.control.expireAccessTokens();
        count("token-expired");
      }

      if (plan.kinds.has("host-sigkill") && plan.killTicks.has(index)) {
        await stack.host.kill();
        count("host-sigkill");
      }
    },
    async calm() {
      graph.reset();
      notifications.resetFaults();
      notifications.release();
      if (!stack.host.running) await stack.host.start();
    },
  };
}

function pickId(random: () => number, ids: readonly string[]): string | undefined {
  return ids.length === 0 ? undefined : ids[Math.floor(random() * ids.length)];
}

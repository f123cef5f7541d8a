import { perSimulator, type SimulatorServices } from "../services";
import { bodyOf, guard as guardControl } from "../control/guard";
import type { Router } from "../http/router";
import type { RequestContext, SimResponse } from "../http/context";
import {
  notificationHub,
  type DeliveryRecord,
  type LifecycleEvent,
  type NotificationFaults,
  type NotificationSettings,
  type SubscriptionRecord,
} from "./hub";

/**
 * Control API of change notifications (in-process: `sim.control.notifications`; HTTP under
 * /_sim/notifications): settings (maximum expiration, timeouts, slow-endpoint rules), faults (drop,
 * duplicate, delay, reorder, hold/release — deterministic for a seed), expiry and lifecycle events on
 * demand, flush, delivery log, clock.
 */
export class NotificationControl {
  constructor(private readonly sim: SimulatorServices) {}

  private get hub() {
    return notificationHub(this.sim);
  }

  get settings(): NotificationSettings {
    return this.hub.settings;
  }

  configure(patch: Partial<NotificationSettings>): NotificationSettings {
    return Object.assign(this.hub.settings, patch);
  }

  faults(patch: Partial<NotificationFaults>): NotificationFaults {
    return this.hub.configureFaults(patch);
  }

  resetFaults(): void {
    this.hub.resetFaults();
  }

  /** Releases notifications held by the `hold` fault (they become due now); returns how many. */
  release(): number {
    return this.hub.release();
  }

  /** Expires a subscription now (removed silently, as an unrenewed one; renewal then gets 404). */
  expireSubscription(subscriptionId: string): void {
    this.hub.expire(subscriptionId);
  }

  /** Sends a lifecycle notification (subscriptionRemoved also removes the subscription). */
  triggerLifecycle(subscriptionId: string, event: LifecycleEvent): boolean {
    return this.hub.lifecycle(subscriptionId, event);
  }

  /** Delivers everything due now and waits for it; returns what was attempted. */
  flush(): Promise<DeliveryRecord[]> {
    return this.hub.flush();
  }

  /** Every attempt so far (delivered, failed, timed out, dropped), oldest first. */
  deliveries(): DeliveryRecord[] {
    return [...this.hub.deliveries];
  }

  clearDeliveries(): void {
    this.hub.deliveries.length = 0;
  }

  pendingCount(): number {
    return this.hub.pendingCount();
  }

  subscriptions(): SubscriptionRecord[] {
    return [...this.hub.subscriptions().values()];
  }

  endpointState(url: string) {
    return this.hub.endpointState(url);
  }

  /** Injects the clock used by notifications (undefined: back to the simulator clock). */
  setClock(now: (() => number) | undefined): void {
    this.hub.setClock(now);
  }
}

export const notificationControl = perSimulator((sim) => new NotificationControl(sim));

/** A control route on this module's control object (errors: 400 `control_failed`). */
const guard = (fn: (ctx: RequestContext, c: NotificationControl) => SimResponse | Promise<SimResponse>) =>
  guardControl((ctx) => fn(ctx, notificationControl(ctx.sim)));

export function registerNotificationControlRoutes(router: Router): void {
  router.control(
    "GET",
    "/notifications/settings",
    guard((_ctx, c) => ({ status: 200, body: c.settings })),
  );
  router.control(
    "PATCH",
    "/notifications/settings",
    guard((ctx, c) => ({ status: 200, body: c.configure(bodyOf(ctx)) })),
  );
  router.control(
    "PUT",
    "/notifications/faults",
    guard((ctx, c) => ({ status: 200, body: c.faults(bodyOf(ctx)) })),
  );
  router.control(
    "DELETE",
    "/notifications/faults",
    guard((_ctx, c) => {
      c.resetFaults();
      return { status: 200, body: { ok: true } };
    }),
  );
  router.control(
    "POST",
    "/notifications/release",
    guard((_ctx, c) => ({ status: 200, body: { released: c.release() } })),
  );
  router.control(
    "POST",
    "/notifications/subscriptions/{id}/expire",
    guard((ctx, c) => {
      c.expireSubscription(ctx.params.id ?? "");
      return { status: 200, body: { ok: true } };
    }),
  );
  router.control(
    "POST",
    "/notifications/flush",
    guard(async (_ctx, c) => ({ status: 200, body: { deliveries: await c.flush() } })),
  );
  router.control(
    "GET",
    "/notifications/deliveries",
    guard((_ctx, c) => ({ status: 200, body: { pending: c.pendingCount(), deliveries: c.deliveries() } })),
  );
  router.control(
    "DELETE",
    "/notifications/deliveries",
    guard((_ctx, c) => {
      c.clearDeliveries();
      return { status: 200, body: { ok: true } };
    }),
  );
  router.control(
    "GET",
    "/notifications/subscriptions",
    guard((_ctx, c) => ({ status: 200, body: { value: c.subscriptions() } })),
  );
  router.control(
    "POST",
    "/notifications/subscriptions/{id}/lifecycle",
    guard((ctx, c) => {
      const event = bodyOf<{ event?: LifecycleEvent }>(ctx).event;
      if (!event || !["reauthorizationRequired", "subscriptionRemoved", "missed"].includes(event))
        throw new Error("event must be reauthorizationRequired, subscriptionRemoved or missed");
      return { status: 200, body: { sent: c.triggerLifecycle(ctx.params.id ?? "", event) } };
    }),
  );
  // Clock injection over HTTP: a fixed simulated instant for notifications ({"now": ISO}) or back to the simulator clock ({}).
  router.control(
    "PUT",
    "/notifications/clock",
    guard((ctx, c) => {
      const now = bodyOf<{ now?: string }>(ctx).now;
      if (now === undefined) c.setClock(undefined);
      else {
        const ms = Date.parse(now);
        if (Number.isNaN(ms)) throw new Error(`invalid instant ${now}`);
        c.setClock(() => ms);
      }
      return { status: 200, body: { ok: true } };
    }),
  );
}

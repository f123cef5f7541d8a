import type { ChangeNotification, Subscription } from "@microsoft/microsoft-graph-types";
import { perSimulator, type SimulatorServices } from "../services";
import { onCalendarChange, type EventChange } from "../store/calendars";
import { seededRandom } from "../faults/random";
import { stableGuid } from "../seed/ids";

/**
 * Change-notification delivery as Graph does it for Outlook resources: notifications batched per
 * notificationUrl in `value` arrays, retried with backoff on failure for up to 4 hours, slow endpoints
 * (> 2.9 s) delayed and then dropped, lifecycle notifications to `lifecycleNotificationUrl`. Faults
 * (drop / duplicate / delay / reorder, deterministic for a seed), a flush for tests, and an injectable
 * clock are part of the control API.
 *
 * Timing: a delivery is due at a simulated instant (clock); with `autoDeliver` a real timer runs due
 * deliveries soon after they become due in real time. Tests call `flush()` instead of sleeping.
 */

export interface NotificationSettings {
  /** Outlook resources: Graph's docs say 10,080 min (< 7 days); live Graph answers "…can only be 10070 minutes…". */
  maxExpirationMinutes: number;
  /** "Any value under 45 minutes after the time of the request is automatically set to 45 minutes." */
  minExpirationMinutes: number;
  /** The validation handshake must answer within 10 s (not configurable in Graph). */
  validationTimeoutMs: number;
  /** Graph's publisher waits 3 s for a 2xx. */
  deliveryTimeoutMs: number;
  /** A publish slower than this counts as slow (Graph: 2,900 ms). */
  slowThresholdMs: number;
  /** Slow-endpoint rules apply after this many publishes in a window (Graph: 100). */
  slowSampleSize: number;
  /** ≥ this share of slow publishes: the endpoint's notifications are delayed (Graph: 10 %). */
  slowDelayPercent: number;
  /** ≥ this share: notifications are dropped (Graph: 15 %). */
  slowDropPercent: number;
  /** Counters reset after this window (Graph: 10 min). */
  slowWindowMs: number;
  /** Delay applied to a flagged endpoint (Graph: 10 min). */
  slowDelayMs: number;
  /** First retry after this; doubles per attempt up to `retryMaxMs`. Graph's schedule is undocumented. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Graph retries for up to 4 hours, then discards (and sends `missed` to the lifecycle URL). */
  retryWindowMs: number;
  /** Notifications per POST. */
  maxBatchSize: number;
  autoDeliver: boolean;
  /** Graph requires https notification URLs; the simulator also accepts http on loopback (test receivers). */
  allowHttpLoopback: boolean;
}

export function defaultNotificationSettings(): NotificationSettings {
  return {
    maxExpirationMinutes: 10070,
    minExpirationMinutes: 45,
    validationTimeoutMs: 10_000,
    deliveryTimeoutMs: 3_000,
    slowThresholdMs: 2_900,
    slowSampleSize: 100,
    slowDelayPercent: 10,
    slowDropPercent: 15,
    slowWindowMs: 600_000,
    slowDelayMs: 600_000,
    retryBaseMs: 10_000,
    retryMaxMs: 3_600_000,
    retryWindowMs: 4 * 3_600_000,
    maxBatchSize: 100,
    autoDeliver: true,
    allowHttpLoopback: true,
  };
}

export interface NotificationFaults {
  seed: number;
  /** Share of notifications silently lost (0–1). */
  dropRate: number;
  /** Share delivered twice (0–1). */
  duplicateRate: number;
  /** Extra delay before first delivery (simulated ms). */
  delayMs: number;
  /** Deliver due batches in a shuffled order (and items within a batch reversed). */
  reorder: boolean;
  /** Hold every new change notification until `release()` (or until this is switched off). */
  hold: boolean;
}

function noFaults(): NotificationFaults {
  return { seed: 1, dropRate: 0, duplicateRate: 0, delayMs: 0, reorder: false, hold: false };
}

export interface SubscriptionRecord {
  data: Subscription & {
    id: string;
    resource: string;
    notificationUrl: string;
    expirationDateTime: string;
    changeType: string;
  };
  mailboxId: string;
  appId: string;
  /** Delegated subscriptions: the signed-in user. */
  userId?: string;
  /** Set by a reauthorizationRequired lifecycle event until reauthorized: delivery pauses. */
  needsReauthorization: boolean;
}

export type LifecycleEvent = "reauthorizationRequired" | "subscriptionRemoved" | "missed";

interface Pending {
  seq: number;
  url: string;
  kind: "change" | "lifecycle";
  items: ChangeNotification[];
  dueAt: number;
  firstAt: number;
  attempts: number;
  inFlight: boolean;
  /** Held by the `hold` fault: not due until released. */
  held: boolean;
}

export interface DeliveryRecord {
  seq: number;
  /** Simulated time of the attempt. */
  at: number;
  url: string;
  kind: "change" | "lifecycle";
  attempt: number;
  outcome: "delivered" | "failed" | "timeout" | "dropped";
  status?: number;
  durationMs?: number;
  reason?: string;
  body: { value: ChangeNotification[] };
}

interface EndpointStats {
  windowStart: number;
  total: number;
  slow: number;
}

const SUBS_KEY = "subscriptions";

/**
 * The tenant's subscriptions by id, also indexed by the mailbox they watch, so a calendar write looks
 * only at its own mailbox's subscriptions (thousands of room subscriptions stay cheap).
 */
export class SubscriptionMap extends Map<string, SubscriptionRecord> {
  private readonly byMailbox = new Map<string, Set<string>>();

  override set(id: string, rec: SubscriptionRecord): this {
    this.unindex(id);
    super.set(id, rec);
    let ids = this.byMailbox.get(rec.mailboxId);
    if (!ids) {
      ids = new Set();
      this.byMailbox.set(rec.mailboxId, ids);
    }
    ids.add(id);
    return this;
  }

  override delete(id: string): boolean {
    this.unindex(id);
    return super.delete(id);
  }

  override clear(): void {
    this.byMailbox.clear();
    super.clear();
  }

  /** Ids of the subscriptions on a mailbox, oldest first. */
  idsFor(mailboxId: string): string[] {
    return [...(this.byMailbox.get(mailboxId) ?? [])];
  }

  private unindex(id: string): void {
    const prev = super.get(id);
    if (prev) this.byMailbox.get(prev.mailboxId)?.delete(id);
  }
}

export class NotificationHub {
  settings = defaultNotificationSettings();
  faults = noFaults();
  private rand = seededRandom(1);
  private pending: Pending[] = [];
  private seq = 0;
  private subCounter = 0;
  private notificationCounter = 0;
  readonly deliveries: DeliveryRecord[] = [];
  private readonly stats = new Map<string, EndpointStats>();
  private inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private clockFn: (() => number) | undefined;

  constructor(private readonly sim: SimulatorServices) {
    onCalendarChange(sim.store, (c) => this.onChange(c));
  }

  now(): number {
    return this.clockFn ? this.clockFn() : this.sim.clock.now();
  }

  /** Replaces the clock used for expirations, backoff and slow-endpoint windows (undefined = simulator clock). */
  setClock(fn: (() => number) | undefined): void {
    this.clockFn = fn;
  }

  configureFaults(f: Partial<NotificationFaults>): NotificationFaults {
    const wasHolding = this.faults.hold;
    this.faults = { ...this.faults, ...f };
    this.rand = seededRandom(this.faults.seed);
    if (wasHolding && !this.faults.hold) this.release();
    return this.faults;
  }

  resetFaults(): void {
    this.faults = noFaults();
    this.rand = seededRandom(1);
    this.release();
  }

  /** Makes every held notification due now (in the order they were produced); returns how many. */
  release(): number {
    let n = 0;
    const now = this.now();
    for (const p of this.pending) {
      if (!p.held) continue;
      p.held = false;
      p.dueAt = now;
      n += p.items.length;
    }
    if (n > 0) this.schedule(0);
    return n;
  }

  /**
   * Ends a subscription's life now, as if its expirationDateTime had passed unrenewed: Graph then
   * deletes it silently (no lifecycle notification), and a renewal PATCH answers 404.
   */
  expire(subscriptionId: string): void {
    const sub = this.subscriptions().get(subscriptionId);
    if (!sub) throw new Error(`no subscription ${subscriptionId}`);
    sub.data.expirationDateTime = new Date(this.now()).toISOString();
    this.subscriptions().delete(subscriptionId);
  }

  /** Called on reseed: pending deliveries and counters go with the old tenant. */
  reset(): void {
    this.pending = [];
    this.stats.clear();
    this.deliveries.length = 0;
    this.subCounter = 0;
    this.notificationCounter = 0;
  }

  subscriptions(): SubscriptionMap {
    let m = this.sim.store.extensions.get(SUBS_KEY) as SubscriptionMap | undefined;
    if (!m) {
      m = new SubscriptionMap();
      this.sim.store.extensions.set(SUBS_KEY, m);
    }
    return m;
  }

  /** Live subscription by id (expired ones are gone, as Graph removes them). */
  subscription(id: string): SubscriptionRecord | undefined {
    const s = this.subscriptions().get(id);
    if (!s) return undefined;
    if (Date.parse(s.data.expirationDateTime) <= this.now()) {
      this.subscriptions().delete(id);
      return undefined;
    }
    return s;
  }

  /** changeNotification.id ("Unique ID for the notification"); a duplicate carries the same id. */
  private notificationId(): string {
    return stableGuid(`${this.sim.store.tenantId}/notification`, String(++this.notificationCounter));
  }

  newSubscriptionId(): string {
    return stableGuid(`${this.sim.store.tenantId}/subscription`, String(++this.subCounter));
  }

  pendingCount(): number {
    return this.pending.reduce((n, p) => n + p.items.length, 0);
  }

  // ---------------------------------------------------------------- producing

  private onChange(c: EventChange): void {
    for (const id of this.subscriptions().idsFor(c.mailboxId)) {
      const sub = this.subscription(id);
      if (!sub || sub.mailboxId !== c.mailboxId) continue;
      const types = sub.data.changeType.split(",").map((t) => t.trim());
      if (!types.includes(c.changeType)) continue;
      const resource = `Users/${c.mailboxId}/Events/${c.eventId}`;
      const n: ChangeNotification = {
        id: this.notificationId(),
        subscriptionId: sub.data.id,
        subscriptionExpirationDateTime: sub.data.expirationDateTime,
        changeType: c.changeType,
        resource,
        resourceData: {
          "@odata.type": "#Microsoft.Graph.Event",
          "@odata.id": resource,
          "@odata.etag": `W/"${c.changeKey}"`,
          id: c.eventId,
        },
        clientState: sub.data.clientState ?? null,
        tenantId: this.sim.store.tenantId,
      };
      if (sub.needsReauthorization) {
        // Graph pauses delivery until the subscription is reauthorized; changes in the gap are lost.
        this.record({
          url: sub.data.notificationUrl,
          kind: "change",
          items: [n],
          attempt: 0,
          outcome: "dropped",
          reason: "reauthorizationRequired",
        });
        continue;
      }
      this.enqueue(sub.data.notificationUrl, "change", n);
    }
  }

  /** Sends a lifecycle notification for a subscription (control API / internal). False if it has no lifecycle URL. */
  lifecycle(subscriptionId: string, event: LifecycleEvent): boolean {
    const sub = this.subscriptions().get(subscriptionId);
    if (!sub) throw new Error(`no subscription ${subscriptionId}`);
    if (event === "reauthorizationRequired") sub.needsReauthorization = true;
    if (event === "subscriptionRemoved") this.subscriptions().delete(subscriptionId);
    const url = sub.data.lifecycleNotificationUrl;
    if (!url) return false;
    // The documented lifecycle payload carries no notification id.
    const n: ChangeNotification = {
      subscriptionId: sub.data.id,
      subscriptionExpirationDateTime: sub.data.expirationDateTime,
      tenantId: this.sim.store.tenantId,
      clientState: sub.data.clientState ?? null,
      lifecycleEvent: event,
    };
    this.enqueue(url, "lifecycle", n, true);
    return true;
  }

  private enqueue(
    url: string,
    kind: "change" | "lifecycle",
    n: ChangeNotification,
    noFaultsApplied = false,
  ): void {
    const now = this.now();
    if (!noFaultsApplied && this.faults.dropRate > 0 && this.rand() < this.faults.dropRate) {
      this.record({ url, kind, items: [n], attempt: 0, outcome: "dropped", reason: "fault" });
      return;
    }
    const copies =
      !noFaultsApplied && this.faults.duplicateRate > 0 && this.rand() < this.faults.duplicateRate ? 2 : 1;
    const held = !noFaultsApplied && this.faults.hold;
    const dueAt = held
      ? Number.POSITIVE_INFINITY
      : now +
        (noFaultsApplied ? 0 : this.faults.delayMs) +
        (this.isDelayed(url) ? this.settings.slowDelayMs : 0);
    for (let i = 0; i < copies; i++) {
      // Changes within a second of each other to the same URL travel in one POST.
      const open = this.pending.find(
        (p) =>
          p.url === url &&
          p.kind === kind &&
          p.attempts === 0 &&
          !p.inFlight &&
          p.held === held &&
          (held || Math.abs(p.dueAt - dueAt) < 1000) &&
          p.items.length < this.settings.maxBatchSize,
      );
      if (open) {
        open.items.push(structuredClone(n));
        open.dueAt = Math.max(open.dueAt, dueAt);
      } else
        this.pending.push({
          seq: ++this.seq,
          url,
          kind,
          items: [structuredClone(n)],
          dueAt,
          firstAt: now,
          attempts: 0,
          inFlight: false,
          held,
        });
    }
    this.schedule(0);
  }

  // ---------------------------------------------------------------- delivering

  private schedule(delayMs: number): void {
    if (!this.settings.autoDeliver) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.pump();
      },
      Math.max(0, Math.min(delayMs, 2 ** 31 - 1)),
    );
    this.timer.unref();
  }

  private stat(url: string): EndpointStats {
    const now = this.now();
    let s = this.stats.get(url);
    if (!s || now - s.windowStart >= this.settings.slowWindowMs) {
      s = { windowStart: now, total: 0, slow: 0 };
      this.stats.set(url, s);
    }
    return s;
  }

  private slowShare(url: string): number {
    const s = this.stat(url);
    return s.total >= this.settings.slowSampleSize ? (s.slow * 100) / s.total : 0;
  }

  private isDelayed(url: string): boolean {
    const share = this.slowShare(url);
    return share >= this.settings.slowDelayPercent && share < this.settings.slowDropPercent;
  }

  private isDropped(url: string): boolean {
    return this.slowShare(url) >= this.settings.slowDropPercent;
  }

  /** Endpoint health as Graph's publisher sees it (for assertions). */
  endpointState(url: string): { total: number; slow: number; state: "ok" | "delayed" | "dropped" } {
    const s = this.stat(url);
    return {
      total: s.total,
      slow: s.slow,
      state: this.isDropped(url) ? "dropped" : this.isDelayed(url) ? "delayed" : "ok",
    };
  }

  private record(
    r: Omit<DeliveryRecord, "seq" | "at" | "body"> & { items: ChangeNotification[] },
  ): DeliveryRecord {
    const { items, ...rest } = r;
    const rec: DeliveryRecord = {
      seq: ++this.seq,
      at: this.now(),
      ...rest,
      body: { value: structuredClone(items) },
    };
    this.deliveries.push(rec);
    if (this.deliveries.length > 5000) this.deliveries.splice(0, this.deliveries.length - 5000);
    return rec;
  }

  /** Runs every delivery that is due now. */
  async pump(): Promise<void> {
    const now = this.now();
    let due = this.pending.filter((p) => !p.inFlight && p.dueAt <= now);
    if (due.length === 0) {
      this.scheduleNext();
      return;
    }
    if (this.faults.reorder) {
      due = [...due];
      for (let i = due.length - 1; i > 0; i--) {
        const j = Math.floor(this.rand() * (i + 1));
        [due[i], due[j]] = [due[j] as Pending, due[i] as Pending];
      }
      for (const p of due) p.items.reverse();
    }
    const runs = due.map((p) => {
      p.inFlight = true;
      const run = this.deliver(p).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
      return run;
    });
    await Promise.all(runs);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const next = this.pending
      .filter((p) => !p.inFlight)
      .reduce((min, p) => Math.min(min, p.dueAt), Number.POSITIVE_INFINITY);
    if (Number.isFinite(next)) this.schedule(next - this.now());
  }

  private async deliver(p: Pending): Promise<void> {
    const remove = () => {
      this.pending = this.pending.filter((x) => x !== p);
    };
    if (p.kind === "change") {
      // Notifications of subscriptions deleted (or expired) meanwhile are not sent.
      p.items = p.items.filter((n) => this.subscription(n.subscriptionId ?? "") !== undefined);
      if (p.items.length === 0) {
        remove();
        return;
      }
    }
    if (p.kind === "change" && this.isDropped(p.url)) {
      remove();
      this.record({
        url: p.url,
        kind: p.kind,
        items: p.items,
        attempt: p.attempts + 1,
        outcome: "dropped",
        reason: "slowEndpoint",
      });
      return;
    }
    p.attempts++;
    const started = performance.now();
    let status: number | undefined;
    let outcome: DeliveryRecord["outcome"];
    let reason: string | undefined;
    try {
      const res = await fetch(p.url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({ value: p.items }),
        signal: AbortSignal.timeout(this.settings.deliveryTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      outcome = status >= 200 && status < 300 ? "delivered" : "failed";
    } catch (e) {
      outcome =
        e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError") ? "timeout" : "failed";
      reason = e instanceof Error ? e.message : String(e);
    }
    const durationMs = performance.now() - started;
    const s = this.stat(p.url);
    s.total++;
    if (durationMs > this.settings.slowThresholdMs || outcome === "timeout") s.slow++;
    this.record({
      url: p.url,
      kind: p.kind,
      items: p.items,
      attempt: p.attempts,
      outcome,
      status,
      durationMs,
      reason,
    });
    p.inFlight = false;
    if (outcome === "delivered") {
      remove();
      return;
    }
    const now = this.now();
    if (now - p.firstAt >= this.settings.retryWindowMs) {
      remove();
      this.record({
        url: p.url,
        kind: p.kind,
        items: p.items,
        attempt: p.attempts,
        outcome: "dropped",
        reason: "retryWindowExceeded",
      });
      if (p.kind === "change") {
        for (const id of new Set(p.items.map((n) => n.subscriptionId ?? ""))) {
          if (this.subscriptions().has(id)) this.lifecycle(id, "missed");
        }
      }
      return;
    }
    const backoff = Math.min(this.settings.retryBaseMs * 2 ** (p.attempts - 1), this.settings.retryMaxMs);
    p.dueAt = now + (this.isDelayed(p.url) ? Math.max(backoff, this.settings.slowDelayMs) : backoff);
  }

  /**
   * Delivers everything due now (including retries that became due after `advanceClock`), waiting for
   * in-flight deliveries; returns the delivery records of this flush.
   */
  async flush(): Promise<DeliveryRecord[]> {
    const since = this.seq;
    for (let i = 0; i < 1000; i++) {
      if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      const now = this.now();
      if (!this.pending.some((p) => !p.inFlight && p.dueAt <= now)) break;
      await this.pump();
    }
    if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return this.deliveries.filter((d) => d.seq > since);
  }
}

/** The notification hub of a running simulator (one per services object). */
export const notificationHub = perSimulator((sim) => new NotificationHub(sim));

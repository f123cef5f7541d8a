import type { Message } from "rhea";
import { Annotation, MessageStateCode, newLockToken, readTime, wrapLong } from "./message-codec";

/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The in-memory queue model of the local Service Bus broker: sequence numbers, peek-lock,
 * delivery counts, lock expiry, abandonment, dead-lettering, scheduling and deferral. It knows
 * nothing about AMQP links; the connection layer registers `Consumer`s that pull messages.
 *
 * Delivery-count semantics (the part most easily got wrong):
 * - Service Bus counts failed deliveries: the count goes up when a peek-locked message is
 *   abandoned or its lock expires, never on complete, dead-letter or defer.
 * - On the wire it is the AMQP header `delivery-count`, which by the AMQP definition is the number
 *   of *prior* failed attempts. The .NET SDK adds one when it exposes `DeliveryCount`; the
 *   JavaScript SDK exposes the header as is, so `@azure/service-bus` reports `deliveryCount: 0`
 *   on the first receive, 1 after one abandon, and so on.
 * - When the count reaches the queue's `maxDeliveryCount` (default 10, i.e. ten deliveries were
 *   tried), Service Bus moves the message to the dead-letter sub-queue with
 *   `DeadLetterReason = "MaxDeliveryCountExceeded"` instead of making it available again.
 */

export interface QueueOptions {
  name: string;
  /** Deliveries tried before the broker dead-letters a message. Service Bus default: 10. */
  maxDeliveryCount?: number;
  /** How long a peek-lock lasts. Default here 30 s; Azure's default for a new queue is 60 s (PT1M). */
  lockDurationMs?: number;
}

export const DEFAULT_MAX_DELIVERY_COUNT = 10;
export const DEFAULT_LOCK_DURATION_MS = 30_000;
/** Suffix Service Bus uses for the dead-letter sub-queue of an entity. */
export const DEAD_LETTER_SUFFIX = "/$DeadLetterQueue";

export type ReceiveMode = "peekLock" | "receiveAndDelete";

export interface StoredMessage {
  sequenceNumber: number;
  enqueuedAt: number;
  /** The message as the client sent it; broker annotations are added per delivery, not stored. */
  message: Message;
  /** Failed deliveries so far (abandon or lock expiry): the AMQP header `delivery-count`. */
  deliveryCount: number;
  /** Where the message is: ready to deliver, locked by a receiver, waiting for its time, or set aside by `defer`. */
  state: "active" | "locked" | "scheduled" | "deferred";
  /** True once deferred: a deferred message can only be received again by sequence number. */
  deferred: boolean;
  scheduledFor?: number;
  expiresAt?: number;
  lockToken?: string;
  lockedUntil?: number;
}

/** What the connection layer hands to a receiver: the message with its broker annotations. */
export interface Delivery {
  entry: StoredMessage;
  message: Message;
  lockToken?: string;
}

/** A receiving link as the queue sees it. */
export interface Consumer {
  readonly mode: ReceiveMode;
  /** How many more messages the consumer can take right now (its unused link credit). */
  capacity(): number;
  deliver(delivery: Delivery): void;
}

export type SettleOutcome =
  | { kind: "complete" }
  | { kind: "abandon"; propertiesToModify?: Record<string, unknown> }
  | { kind: "defer"; propertiesToModify?: Record<string, unknown> }
  | {
      kind: "deadLetter";
      reason?: string;
      description?: string;
      propertiesToModify?: Record<string, unknown>;
    };

export interface QueueStats {
  active: number;
  locked: number;
  scheduled: number;
  deadLettered: number;
}

/**
 * One Service Bus entity: a queue or its dead-letter sub-queue. The dead-letter sub-queue is a
 * `ServiceBusQueue` without a dead-letter queue of its own: Service Bus never dead-letters from a
 * DLQ, and abandoning a DLQ message just makes it available there again.
 */
export class ServiceBusQueue {
  readonly path: string;
  readonly maxDeliveryCount: number;
  readonly lockDurationMs: number;
  readonly deadLetterQueue: ServiceBusQueue | undefined;

  private readonly entries = new Map<number, StoredMessage>();
  /** Sequence numbers of active messages, ascending: Service Bus hands out the oldest available first. */
  private ready: number[] = [];
  private readonly locks = new Map<string, StoredMessage>();
  private readonly consumers: Consumer[] = [];
  private nextConsumer = 0;
  private nextSequenceNumber = 1;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private pumping = false;

  constructor(
    path: string,
    options: { maxDeliveryCount?: number; lockDurationMs?: number },
    withDeadLetterQueue: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.path = path;
    this.maxDeliveryCount = options.maxDeliveryCount ?? DEFAULT_MAX_DELIVERY_COUNT;
    this.lockDurationMs = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    if (!Number.isInteger(this.maxDeliveryCount) || this.maxDeliveryCount < 1) {
      throw new Error(`queue ${path}: maxDeliveryCount must be a positive integer`);
    }
    if (!(this.lockDurationMs > 0)) {
      throw new Error(`queue ${path}: lockDurationMs must be positive`);
    }
    this.deadLetterQueue = withDeadLetterQueue
      ? new ServiceBusQueue(path + DEAD_LETTER_SUFFIX, options, false, now)
      : undefined;
  }

  // ---------------------------------------------------------------- sending

  /**
   * Accepts a sent message. Service Bus assigns the sequence number and enqueued time. A message
   * carrying `x-opt-scheduled-enqueue-time` in the future (the SDK sets it from
   * `scheduledEnqueueTimeUtc`) stays invisible until then.
   */
  enqueue(message: Message): number {
    const scheduledFor = readTime(message.message_annotations?.[Annotation.scheduledEnqueueTime]);
    return this.add(message, scheduledFor);
  }

  /** `com.microsoft:schedule-message`: the message appears at `at`; its sequence number is returned now. */
  schedule(message: Message, at: number): number {
    return this.add(message, at);
  }

  /**
   * `com.microsoft:cancel-scheduled-message`. Only messages still waiting are removed; like
   * Service Bus, unknown or already-enqueued sequence numbers are ignored.
   */
  cancelScheduled(sequenceNumber: number): boolean {
    const entry = this.entries.get(sequenceNumber);
    if (entry === undefined || entry.state !== "scheduled") return false;
    this.entries.delete(sequenceNumber);
    return true;
  }

  private add(sent: Message, scheduledFor: number | undefined): number {
    const now = this.now();
    // Service Bus stamps a MessageId on messages sent without one (a GUID in "N" format). The SDK
    // relies on it: auto lock renewal is keyed by message id.
    const message: Message =
      sent.message_id === undefined || sent.message_id === null
        ? { ...sent, message_id: newLockToken().replace(/-/g, "") }
        : sent;
    const entry: StoredMessage = {
      sequenceNumber: this.nextSequenceNumber++,
      enqueuedAt: now,
      message,
      deliveryCount: 0,
      state: "active",
      deferred: false,
    };
    if (typeof message.ttl === "number" && message.ttl > 0) {
      entry.expiresAt = now + message.ttl;
    }
    this.entries.set(entry.sequenceNumber, entry);
    if (scheduledFor !== undefined && scheduledFor > now) {
      entry.state = "scheduled";
      entry.scheduledFor = scheduledFor;
      this.wakeAt(scheduledFor);
    } else {
      this.makeReady(entry);
      this.pump();
    }
    return entry.sequenceNumber;
  }

  /** Takes over a message dead-lettered from the parent queue, keeping its sequence number and history. */
  private acceptDeadLettered(entry: StoredMessage): void {
    entry.state = "active";
    entry.deferred = false;
    delete entry.lockToken;
    delete entry.lockedUntil;
    delete entry.scheduledFor;
    // Expiry does not apply in the DLQ: Service Bus keeps dead-lettered messages until they are received.
    delete entry.expiresAt;
    this.entries.set(entry.sequenceNumber, entry);
    this.nextSequenceNumber = Math.max(this.nextSequenceNumber, entry.sequenceNumber + 1);
    this.makeReady(entry);
    this.pump();
  }

  // ---------------------------------------------------------------- receiving

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
    this.pump();
  }

  removeConsumer(consumer: Consumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
  }

  /**
   * Hands available messages, oldest first, to consumers with credit, round robin. In peek-lock
   * mode each delivered message is locked for `lockDuration` under a fresh lock token; in
   * receive-and-delete mode it is removed as it is sent (at-most-once, as in Service Bus).
   */
  pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (this.ready.length > 0) {
        const consumer = this.pickConsumer();
        if (consumer === undefined) break;
        const sequenceNumber = this.ready.shift();
        const entry = sequenceNumber === undefined ? undefined : this.entries.get(sequenceNumber);
        if (entry === undefined || entry.state !== "active") continue;
        if (this.dropIfExpired(entry)) continue;
        consumer.deliver(this.lockFor(entry, consumer.mode));
      }
    } finally {
      this.pumping = false;
    }
  }

  private pickConsumer(): Consumer | undefined {
    for (let i = 0; i < this.consumers.length; i++) {
      const index = (this.nextConsumer + i) % this.consumers.length;
      const consumer = this.consumers[index];
      if (consumer !== undefined && consumer.capacity() > 0) {
        this.nextConsumer = (index + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }

  private lockFor(entry: StoredMessage, mode: ReceiveMode): Delivery {
    if (mode === "receiveAndDelete") {
      this.entries.delete(entry.sequenceNumber);
      return { entry, message: this.annotate(entry) };
    }
    const lockToken = newLockToken();
    entry.state = "locked";
    entry.lockToken = lockToken;
    entry.lockedUntil = this.now() + this.lockDurationMs;
    this.locks.set(lockToken, entry);
    this.wakeAt(entry.lockedUntil);
    return { entry, message: this.annotate(entry), lockToken };
  }

  /**
   * `com.microsoft:receive-by-sequence-number`: the only way to get a deferred message back. Like
   * Service Bus, the request fails as a whole (undefined) unless every number names a deferred message.
   */
  receiveDeferred(sequenceNumbers: number[], mode: ReceiveMode): Delivery[] | undefined {
    const entries = sequenceNumbers.map((s) => this.entries.get(s));
    if (entries.some((e) => e === undefined || e.state !== "deferred")) return undefined;
    return entries.map((entry) => this.lockFor(entry as StoredMessage, mode));
  }

  /** The message as a receiver sees it: the sent message plus the Service Bus broker annotations and header. */
  annotate(entry: StoredMessage, forPeek = false): Message {
    const annotations: Record<string, unknown> = {
      ...(entry.message.message_annotations ?? {}),
      [Annotation.sequenceNumber]: wrapLong(entry.sequenceNumber),
      [Annotation.enqueuedTime]: new Date(entry.enqueuedAt),
    };
    if (entry.lockedUntil !== undefined && entry.state === "locked") {
      annotations[Annotation.lockedUntil] = new Date(entry.lockedUntil);
    }
    if (forPeek) {
      const effective = entry.state === "locked" ? (entry.deferred ? "deferred" : "active") : entry.state;
      annotations[Annotation.messageState] =
        effective === "deferred"
          ? MessageStateCode.deferred
          : effective === "scheduled"
            ? MessageStateCode.scheduled
            : MessageStateCode.active;
    }
    return { ...entry.message, delivery_count: entry.deliveryCount, message_annotations: annotations };
  }

  // ---------------------------------------------------------------- settlement

  /** True while the lock token names a message whose lock has not expired. */
  isLocked(lockToken: string): boolean {
    const entry = this.locks.get(lockToken);
    return entry !== undefined && (entry.lockedUntil ?? 0) > this.now();
  }

  /**
   * Settles a peek-locked message. Returns false when the lock is unknown or expired, which
   * Service Bus reports as `MessageLockLost`.
   * - complete: the message is gone.
   * - abandon: the lock is released and the delivery count goes up; at maxDeliveryCount the
   *   message is dead-lettered instead (see `releaseAfterFailure`).
   * - defer: set aside, only `receiveDeferredMessages` can fetch it; the count does not change.
   * - deadLetter: moved to the DLQ with the reason and description as application properties.
   */
  settle(lockToken: string, outcome: SettleOutcome): boolean {
    const entry = this.locks.get(lockToken);
    if (entry === undefined) return false;
    if ((entry.lockedUntil ?? 0) <= this.now()) {
      this.expireLock(entry);
      return false;
    }
    this.unlock(entry);
    switch (outcome.kind) {
      case "complete":
        this.entries.delete(entry.sequenceNumber);
        break;
      case "abandon":
        this.modifyProperties(entry, outcome.propertiesToModify);
        this.releaseAfterFailure(entry);
        break;
      case "defer":
        this.modifyProperties(entry, outcome.propertiesToModify);
        entry.state = "deferred";
        entry.deferred = true;
        break;
      case "deadLetter":
        this.modifyProperties(entry, outcome.propertiesToModify);
        this.deadLetter(entry, outcome.reason, outcome.description);
        break;
    }
    this.pump();
    return true;
  }

  /**
   * A `released` link disposition: the client gives the message back without having processed it
   * (AMQP "released" is explicitly not a failed delivery), so the lock is dropped and the count kept.
   */
  release(lockToken: string): boolean {
    const entry = this.locks.get(lockToken);
    if (entry === undefined) return false;
    this.unlock(entry);
    if (entry.deferred) entry.state = "deferred";
    else this.makeReady(entry);
    this.pump();
    return true;
  }

  /** `com.microsoft:renew-lock`: extends the lock by a full lockDuration from now. Undefined when the lock is lost. */
  renewLock(lockToken: string): number | undefined {
    const entry = this.locks.get(lockToken);
    if (entry === undefined) return undefined;
    if ((entry.lockedUntil ?? 0) <= this.now()) {
      this.expireLock(entry);
      return undefined;
    }
    entry.lockedUntil = this.now() + this.lockDurationMs;
    this.wakeAt(entry.lockedUntil);
    return entry.lockedUntil;
  }

  private unlock(entry: StoredMessage): void {
    if (entry.lockToken !== undefined) this.locks.delete(entry.lockToken);
    delete entry.lockToken;
    delete entry.lockedUntil;
  }

  /** A lock ran out before settlement: Service Bus counts that as a failed delivery, exactly like abandon. */
  private expireLock(entry: StoredMessage): void {
    this.unlock(entry);
    this.releaseAfterFailure(entry);
  }

  /**
   * After a failed delivery (abandon or lock expiry) the delivery count goes up. Once it reaches
   * maxDeliveryCount the message has been tried that many times and Service Bus dead-letters it
   * with reason `MaxDeliveryCountExceeded`. Otherwise it is available again at its original
   * position (or deferred again if it was a deferred message). A DLQ has no DLQ, so there the
   * message always becomes available again.
   */
  private releaseAfterFailure(entry: StoredMessage): void {
    entry.deliveryCount += 1;
    if (this.deadLetterQueue !== undefined && entry.deliveryCount >= this.maxDeliveryCount) {
      this.deadLetter(
        entry,
        "MaxDeliveryCountExceeded",
        `Message could not be consumed after ${this.maxDeliveryCount} delivery attempts.`,
      );
      return;
    }
    if (entry.deferred) {
      entry.state = "deferred";
    } else {
      this.makeReady(entry);
    }
  }

  /**
   * Moves a message to the dead-letter sub-queue. Service Bus records why in two application
   * properties, `DeadLetterReason` and `DeadLetterErrorDescription`, which the SDK surfaces as
   * `deadLetterReason` / `deadLetterErrorDescription`. Dead-lettering from the DLQ itself is a no-op
   * (the message just stays there), as in Service Bus.
   */
  private deadLetter(
    entry: StoredMessage,
    reason: string | undefined,
    description: string | undefined,
  ): void {
    const dlq = this.deadLetterQueue;
    if (dlq === undefined) {
      this.makeReady(entry);
      return;
    }
    this.entries.delete(entry.sequenceNumber);
    const properties: Record<string, unknown> = { ...(entry.message.application_properties ?? {}) };
    if (reason !== undefined) properties.DeadLetterReason = reason;
    if (description !== undefined) properties.DeadLetterErrorDescription = description;
    entry.message = { ...entry.message, application_properties: properties };
    dlq.acceptDeadLettered(entry);
  }

  /** `propertiesToModify` on abandon/defer/dead-letter overwrite application properties of the stored message. */
  private modifyProperties(entry: StoredMessage, properties: Record<string, unknown> | undefined): void {
    if (properties === undefined || Object.keys(properties).length === 0) return;
    entry.message = {
      ...entry.message,
      application_properties: { ...(entry.message.application_properties ?? {}), ...properties },
    };
  }

  private makeReady(entry: StoredMessage): void {
    entry.state = "active";
    // Keep `ready` sorted: an abandoned message goes back to its place by sequence number.
    let lo = 0;
    let hi = this.ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ready[mid] ?? 0) < entry.sequenceNumber) lo = mid + 1;
      else hi = mid;
    }
    this.ready.splice(lo, 0, entry.sequenceNumber);
  }

  /** Messages whose time-to-live has passed are removed when next looked at (dead-lettering on expiry is off by default). */
  private dropIfExpired(entry: StoredMessage): boolean {
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(entry.sequenceNumber);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- peeking and inspection

  /**
   * `com.microsoft:peek-message`: up to `count` messages from `fromSequenceNumber` on, in sequence
   * order, without locking. Like Service Bus this includes locked, deferred and scheduled
   * messages (with `x-opt-message-state`), and leaves the delivery count alone.
   */
  peek(fromSequenceNumber: number, count: number): Message[] {
    const result: Message[] = [];
    const sequenceNumbers = [...this.entries.keys()]
      .filter((s) => s >= fromSequenceNumber)
      .sort((a, b) => a - b);
    for (const sequenceNumber of sequenceNumbers) {
      if (result.length >= count) break;
      const entry = this.entries.get(sequenceNumber);
      if (entry === undefined) continue;
      if (entry.state === "active" && this.dropIfExpired(entry)) continue;
      result.push(this.annotate(entry, true));
    }
    return result;
  }

  stats(): QueueStats {
    let active = 0;
    let locked = 0;
    let scheduled = 0;
    for (const entry of this.entries.values()) {
      if (entry.state === "active") active++;
      else if (entry.state === "locked") locked++;
      else if (entry.state === "scheduled") scheduled++;
    }
    return { active, locked, scheduled, deadLettered: this.deadLetterQueue?.entries.size ?? 0 };
  }

  // ---------------------------------------------------------------- time

  /**
   * Applies everything that is due: expired locks count as failed deliveries, and scheduled
   * messages whose time has come become active (Service Bus gives them their enqueued time then).
   */
  tick(): void {
    const now = this.now();
    for (const entry of [...this.entries.values()]) {
      if (entry.state === "locked" && (entry.lockedUntil ?? 0) <= now) {
        this.expireLock(entry);
      } else if (entry.state === "scheduled" && (entry.scheduledFor ?? 0) <= now) {
        delete entry.scheduledFor;
        entry.enqueuedAt = now;
        this.makeReady(entry);
      }
    }
    this.pump();
  }

  private nextDueAt(): number {
    let due = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) {
      if (entry.state === "locked" && entry.lockedUntil !== undefined) due = Math.min(due, entry.lockedUntil);
      else if (entry.state === "scheduled" && entry.scheduledFor !== undefined)
        due = Math.min(due, entry.scheduledFor);
    }
    return due;
  }

  /** Makes sure the queue wakes up no later than `at`. One unref'd timer per queue; it re-arms itself. */
  private wakeAt(at: number): void {
    if (this.closed || at >= this.timerDueAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDueAt = at;
    // Node's timers hold at most 2^31-1 ms (a longer delay fires at once): a message scheduled further
    // ahead wakes the queue once in a while until it is due.
    this.timer = setTimeout(() => this.onTimer(), Math.min(MAX_TIMER_MS, Math.max(0, at - this.now())));
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
    this.tick();
    const due = this.nextDueAt();
    if (Number.isFinite(due)) this.wakeAt(due);
  }

  /** Stops the timers; the queue no longer delivers. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.consumers.length = 0;
    this.deadLetterQueue?.close();
  }
}

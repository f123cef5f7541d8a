import type { Server, Socket } from "node:net";
import { create_container, message as amqpMessage } from "rhea";
import type {
  AmqpError,
  Connection,
  Container,
  Delivery as AmqpDelivery,
  EventContext,
  Message,
  Receiver,
  Sender,
} from "rhea";
import { handleManagementRequest, type OperationCounts } from "./management";
import {
  BATCH_MESSAGE_FORMAT,
  MAX_MESSAGE_SIZE_BYTES,
  decodeTransfer,
  encodedSize,
  lockTokenToDeliveryTag,
  newLockToken,
} from "./message-codec";
import {
  DEAD_LETTER_SUFFIX,
  ServiceBusQueue,
  type Consumer,
  type Delivery,
  type QueueOptions,
  type QueueStats,
  type ReceiveMode,
  type SettleOutcome,
} from "./queue-model";

/**
 * The AMQP 1.0 side of the local Service Bus broker, on rhea: connection and SASL, the `$cbs`
 * token exchange, link attach for queues / dead-letter sub-queues / `$management`, credit-driven
 * delivery, and settlement through link dispositions.
 */

type Entity =
  | { kind: "cbs" }
  | { kind: "management"; queue: ServiceBusQueue }
  | { kind: "queue"; queue: ServiceBusQueue; deadLetter: boolean };

/** rhea builds delivery outcomes with these; its typings omit them. */
const outcomes = amqpMessage as unknown as {
  accepted(): { described(): unknown };
  rejected(fields: { error: AmqpError }): { described(): unknown };
};

/** The dead-letter outcome condition the SDK puts on a `rejected` disposition. */
const DEAD_LETTER_CONDITION = "com.microsoft:dead-letter";

/**
 * rhea keeps link-level drain state and the session's delivery buffer private. The broker needs
 * both to count credit exactly: rhea decrements `credit` only when a transfer is written, so
 * deliveries queued in the same tick would otherwise overrun the receiver's credit, and a full
 * session buffer makes `send` throw. rhea is pinned at 3.0.5, where these fields exist.
 */
interface RheaSenderInternals {
  credit: number;
  _draining?: boolean;
  session: { outgoing?: { next_pending_delivery?: number; deliveries?: { available(): number } } };
}

/** AMQP receiver-settle-mode "second": the receiver settles only after the sender has. */
const RCV_SETTLE_SECOND = 1;

/**
 * Settles a delivery the broker sent, with `state` as its outcome.
 *
 * A receiver attached with receiver-settle-mode "second" (the SDK's peekLock receivers) sends its
 * outcome unsettled and settles by itself once our settlement arrives, without another frame. rhea
 * 3.0.5 frees a slot of the session's outgoing buffer (2,048 deliveries) only when a delivery is
 * settled on both sides, so it would keep every such delivery: after 2,048 of them the link could
 * never send again. Once our settlement is queued (rhea writes it from `update`, which looks at
 * `remote_settled` only when called), the delivery is done on both sides, so it is marked so.
 */
function settleDelivery(delivery: AmqpDelivery, state?: unknown): void {
  delivery.update(true, state);
  if (!delivery.remote_settled && delivery.link.rcv_settle_mode === RCV_SETTLE_SECOND) {
    (delivery as { remote_settled: boolean }).remote_settled = true;
  }
}

/** A receiving client link bound to a queue: the queue pulls from it as long as it has credit. */
class LinkConsumer implements Consumer {
  readonly mode: ReceiveMode;
  /** Deliveries handed to rhea but not yet transferred (they do not show in `credit` yet). */
  private queued: AmqpDelivery[] = [];

  constructor(
    readonly sender: Sender,
    readonly queue: ServiceBusQueue,
    private readonly deliveries: WeakMap<AmqpDelivery, { consumer: LinkConsumer; lockToken: string }>,
  ) {
    // The SDK attaches receiveAndDelete receivers with snd-settle-mode "settled" (1), peekLock with "unsettled" (0).
    this.mode = sender.snd_settle_mode === 1 ? "receiveAndDelete" : "peekLock";
  }

  capacity(): number {
    if (!this.sender.is_open() || !this.sender.sendable()) return 0;
    const internals = this.sender as unknown as RheaSenderInternals;
    const outgoing = internals.session.outgoing;
    const nextPending = outgoing?.next_pending_delivery ?? Number.POSITIVE_INFINITY;
    this.queued = this.queued.filter((d) => d.id >= nextPending);
    // While the client drains, keep one credit back so rhea answers with a drain flow (it only
    // does so when credit is left); otherwise the SDK waits for its drain timeout and detaches.
    // Defensive: the broker pumps as soon as credit arrives, so a drain rarely finds messages waiting.
    const reserve = internals._draining === true ? 1 : 0;
    const credit = internals.credit - this.queued.length - reserve;
    return Math.min(credit, outgoing?.deliveries?.available() ?? credit);
  }

  deliver(delivery: Delivery): void {
    // The delivery tag carries the lock token (16 bytes); receiveAndDelete deliveries get a fresh GUID.
    const tag = lockTokenToDeliveryTag(delivery.lockToken ?? newLockToken());
    const sent = this.sender.send(delivery.message, tag);
    this.queued.push(sent);
    if (delivery.lockToken !== undefined) {
      this.deliveries.set(sent, { consumer: this, lockToken: delivery.lockToken });
    }
  }
}

export class AmqpBroker {
  private readonly queues = new Map<string, ServiceBusQueue>();
  private readonly consumers = new Map<Sender, LinkConsumer>();
  /** Our sending links that carry `$cbs` / `$management` replies, per connection. */
  private readonly replyLinks = new Map<Connection, Set<Sender>>();
  private readonly deliveries = new WeakMap<AmqpDelivery, { consumer: LinkConsumer; lockToken: string }>();
  private readonly connections = new Set<Connection>();
  private readonly sockets = new Set<Socket>();
  readonly operations: OperationCounts = {};
  private readonly container: Container;
  private server: Server | undefined;
  private port = 0;

  /** `now` is the clock of every queue (lock expiry, scheduled enqueue); tests may drive their own. */
  constructor(
    queues: QueueOptions[],
    private readonly now: () => number = Date.now,
  ) {
    for (const q of queues) this.createQueue(q);
    this.container = create_container({
      id: "ones-local-servicebus",
      // Settle incoming transfers ourselves (accept, or reject when too large).
      autoaccept: false,
      // Abandon arrives as `modified`; keep it apart from `released`.
      treat_modified_as_released: false,
    });
    // The SDK authenticates with SASL ANONYMOUS against the emulator endpoint and then sends a CBS token.
    const mechanisms = this.container.sasl_server_mechanisms as {
      enable_anonymous(): void;
      enable_plain(authenticate: (user: string, password: string) => boolean): void;
    };
    mechanisms.enable_anonymous();
    mechanisms.enable_plain(() => true);
    this.wire();
  }

  createQueue(options: QueueOptions): void {
    const key = options.name.toLowerCase();
    if (options.name.length === 0 || options.name.includes("$"))
      throw new Error(`invalid queue name "${options.name}"`);
    if (this.queues.has(key)) throw new Error(`queue "${options.name}" already exists`);
    this.queues.set(key, new ServiceBusQueue(options.name, options, true, this.now));
  }

  /** Applies what is due at the clock's current time in every queue and dead-letter queue. */
  tick(): void {
    for (const queue of this.queues.values()) {
      queue.tick();
      queue.deadLetterQueue?.tick();
    }
  }

  queueStats(): Record<string, QueueStats> {
    const result: Record<string, QueueStats> = {};
    for (const queue of this.queues.values()) result[queue.path] = queue.stats();
    return result;
  }

  async listen(port: number): Promise<number> {
    const server: Server = this.container.listen({ host: "127.0.0.1", port });
    this.server = server;
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      if (server.listening) {
        resolve();
        return;
      }
      server.once("listening", () => resolve());
      server.once("error", reject);
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("the broker has no TCP address");
    this.port = address.port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) queue.close();
    for (const connection of this.connections) {
      try {
        connection.close();
      } catch {
        // already closing
      }
    }
    // Give clients a moment to see the close frame, then cut whatever is left.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.sockets.size > 0 ? 100 : 0);
      timer.unref();
    });
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.connections.clear();
    this.consumers.clear();
    this.replyLinks.clear();
  }

  // ---------------------------------------------------------------- addressing

  /** Resolves a link address: `$cbs`, `<queue>`, `<queue>/$DeadLetterQueue`, `<queue>/$management` (optionally as a full sb:// URI). */
  private resolve(address: string | undefined): Entity | undefined {
    if (address === undefined) return undefined;
    let path = address;
    const uri = /^(?:sb|amqps?):\/\/[^/]+\/(.*)$/i.exec(path);
    if (uri?.[1] !== undefined) path = uri[1];
    if (path === "$cbs") return { kind: "cbs" };
    const lower = path.toLowerCase();
    if (lower.endsWith("/$management")) {
      const base = lower.slice(0, -"/$management".length);
      const deadLetter = base.endsWith(DEAD_LETTER_SUFFIX.toLowerCase());
      const queue = this.queues.get(deadLetter ? base.slice(0, -DEAD_LETTER_SUFFIX.length) : base);
      const target = deadLetter ? queue?.deadLetterQueue : queue;
      return target === undefined ? undefined : { kind: "management", queue: target };
    }
    if (lower.endsWith(DEAD_LETTER_SUFFIX.toLowerCase())) {
      const dlq = this.queues.get(lower.slice(0, -DEAD_LETTER_SUFFIX.length))?.deadLetterQueue;
      return dlq === undefined ? undefined : { kind: "queue", queue: dlq, deadLetter: true };
    }
    const queue = this.queues.get(lower);
    return queue === undefined ? undefined : { kind: "queue", queue, deadLetter: false };
  }

  private notFound(address: string | undefined): AmqpError {
    return {
      condition: "amqp:not-found",
      // core-amqp maps this wording to MessagingEntityNotFoundError, as with the real service.
      description: `The messaging entity 'sb://127.0.0.1:${this.port}/${address ?? ""}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`,
    };
  }

  // ---------------------------------------------------------------- events

  private wire(): void {
    const c = this.container;
    c.on("connection_open", (ctx: EventContext) => {
      this.connections.add(ctx.connection);
    });
    const forget = (ctx: EventContext): void => this.forgetConnection(ctx.connection);
    c.on("connection_close", forget);
    c.on("disconnected", forget);
    // Errors on client connections must not crash the process hosting the broker.
    c.on("connection_error", () => undefined);
    c.on("error", () => undefined);

    c.on("receiver_open", (ctx: EventContext) => this.onClientSender(ctx));
    c.on("sender_open", (ctx: EventContext) => this.onClientReceiver(ctx));
    c.on("message", (ctx: EventContext) => this.onMessage(ctx));

    c.on("sendable", (ctx: EventContext) => this.pumpFor(ctx.sender));
    c.on("sender_draining", (ctx: EventContext) => {
      const sender = ctx.sender;
      if (sender === undefined) return;
      this.pumpFor(sender);
      sender.set_drained(true);
    });
    const dropLink = (ctx: EventContext): void => {
      if (ctx.sender !== undefined) this.dropSender(ctx.connection, ctx.sender);
    };
    c.on("sender_close", dropLink);
    c.on("sender_error", dropLink);
    c.on("receiver_error", () => undefined);
    c.on("session_error", () => undefined);

    c.on("accepted", (ctx: EventContext) => this.onDisposition(ctx, { kind: "complete" }));
    c.on("released", (ctx: EventContext) => this.onDisposition(ctx, "released"));
    c.on("modified", (ctx: EventContext) => {
      const state = ctx.delivery?.remote_state as
        { undeliverable_here?: boolean; message_annotations?: Record<string, unknown> } | undefined;
      const propertiesToModify = state?.message_annotations;
      // The SDK abandons with modified{undeliverable_here:false} and defers with undeliverable_here:true.
      this.onDisposition(
        ctx,
        state?.undeliverable_here === true
          ? { kind: "defer", propertiesToModify }
          : { kind: "abandon", propertiesToModify },
      );
    });
    c.on("rejected", (ctx: EventContext) => {
      // The SDK dead-letters with rejected{error:{condition:"com.microsoft:dead-letter", info:{DeadLetterReason,
      // DeadLetterErrorDescription, ...propertiesToModify}}}. A plain AMQP reject dead-letters too,
      // with its error condition and description as reason and description.
      const error = (ctx.delivery?.remote_state as { error?: AmqpError } | undefined)?.error;
      const { DeadLetterReason, DeadLetterErrorDescription, ...rest } = (error?.info ?? {}) as Record<
        string,
        unknown
      >;
      const isServiceBusDeadLetter = error?.condition === DEAD_LETTER_CONDITION;
      const text = (value: unknown, fallback: unknown): string | undefined =>
        typeof value === "string"
          ? value
          : !isServiceBusDeadLetter && typeof fallback === "string"
            ? fallback
            : undefined;
      this.onDisposition(ctx, {
        kind: "deadLetter",
        reason: text(DeadLetterReason, error?.condition),
        description: text(DeadLetterErrorDescription, error?.description),
        propertiesToModify: Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      });
    });
  }

  private forgetConnection(connection: Connection): void {
    this.connections.delete(connection);
    for (const [sender, consumer] of this.consumers) {
      if (sender.connection === connection) {
        consumer.queue.removeConsumer(consumer);
        this.consumers.delete(sender);
      }
    }
    this.replyLinks.delete(connection);
  }

  private dropSender(connection: Connection, sender: Sender): void {
    const consumer = this.consumers.get(sender);
    if (consumer !== undefined) {
      // Locks taken through this link stay valid until they expire, as in Service Bus: the SDK can
      // still settle those messages through `$management`. rhea's unsettled deliveries go away with
      // the session, which the SDK ends together with the link.
      consumer.queue.removeConsumer(consumer);
      this.consumers.delete(sender);
    }
    this.replyLinks.get(connection)?.delete(sender);
  }

  private pumpFor(sender: Sender | undefined): void {
    if (sender === undefined) return;
    this.consumers.get(sender)?.queue.pump();
  }

  /** The client attached a sending link: we receive on `$cbs`, `$management` or a queue. */
  private onClientSender(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const address = receiver.target?.address;
    const entity = this.resolve(address);
    if (entity === undefined) {
      receiver.close(this.notFound(address));
      return;
    }
    if (entity.kind === "queue" && entity.deadLetter) {
      receiver.close({
        condition: "amqp:not-allowed",
        description: "Messages cannot be sent to a dead-letter queue.",
      });
      return;
    }
    receiver.set_target({ address });
    // The SDK sizes `createMessageBatch()` from this; without it `maxSizeInBytes` is undefined.
    (
      receiver as unknown as { local: { attach: { max_message_size: number } } }
    ).local.attach.max_message_size = MAX_MESSAGE_SIZE_BYTES;
  }

  /** The client attached a receiving link: we send from a queue, a DLQ, or reply on `$cbs` / `$management`. */
  private onClientReceiver(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const address = sender.source?.address;
    const entity = this.resolve(address);
    if (entity === undefined) {
      sender.close(this.notFound(address));
      return;
    }
    sender.set_source({ address });
    if (sender.target?.address !== undefined) sender.set_target({ address: sender.target.address });
    if (entity.kind === "queue") {
      const consumer = new LinkConsumer(sender, entity.queue, this.deliveries);
      if (consumer.mode === "receiveAndDelete") {
        (
          sender as unknown as { local: { attach: { snd_settle_mode: number } } }
        ).local.attach.snd_settle_mode = 1;
      }
      this.consumers.set(sender, consumer);
      entity.queue.addConsumer(consumer);
      return;
    }
    let links = this.replyLinks.get(ctx.connection);
    if (links === undefined) {
      links = new Set();
      this.replyLinks.set(ctx.connection, links);
    }
    links.add(sender);
  }

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const delivery = ctx.delivery as AmqpDelivery;
    const entity = this.resolve(receiver.target?.address);
    const format = (ctx as unknown as { format?: number }).format;
    if (entity === undefined) {
      delivery.reject(this.notFound(receiver.target?.address));
      return;
    }
    if (entity.kind === "cbs") {
      delivery.accept();
      const request = ctx.message as Message;
      // Any token is good enough locally; Service Bus answers put-token with 202 Accepted.
      this.reply(ctx, request, { "status-code": 202, "status-description": "Accepted" });
      return;
    }
    if (entity.kind === "management") {
      delivery.accept();
      const request = ctx.message as Message;
      const operation = String(request.application_properties?.operation ?? "unknown");
      this.operations[operation] = (this.operations[operation] ?? 0) + 1;
      const response = handleManagementRequest(entity.queue, request);
      const properties: Record<string, unknown> = { statusCode: response.statusCode };
      if (response.statusDescription !== undefined) properties.statusDescription = response.statusDescription;
      if (response.errorCondition !== undefined) properties.errorCondition = response.errorCondition;
      this.reply(ctx, request, properties, response.body);
      return;
    }

    let messages: Message[];
    try {
      const size =
        format === BATCH_MESSAGE_FORMAT && Buffer.isBuffer(ctx.message)
          ? ctx.message.length
          : encodedSize(ctx.message as Message);
      if (size > MAX_MESSAGE_SIZE_BYTES) {
        delivery.reject({
          condition: "amqp:link:message-size-exceeded",
          description: `The received message (delivery-id:${delivery.id}, size:${size} bytes) exceeds the limit (${MAX_MESSAGE_SIZE_BYTES} bytes) currently allowed on the link.`,
        });
        return;
      }
      messages = decodeTransfer(format, ctx.message);
    } catch (err) {
      delivery.reject({
        condition: "amqp:decode-error",
        description: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    for (const message of messages) entity.queue.enqueue(message);
    delivery.accept();
  }

  /** Sends a request/response reply on the client's reply link (found by target address or link name). */
  private reply(
    ctx: EventContext,
    request: Message,
    properties: Record<string, unknown>,
    body?: unknown,
  ): void {
    const replyTo = request.reply_to;
    const links = [...(this.replyLinks.get(ctx.connection) ?? [])].filter((l) => l.is_open());
    const link =
      links.find((l) => l.target?.address === replyTo) ??
      links.find((l) => l.name === replyTo) ??
      links.find(
        (l) => l.source?.address === (ctx.receiver as Receiver).target?.address && l.session === ctx.session,
      );
    if (link === undefined) return;
    link.send({ correlation_id: request.message_id, to: replyTo, application_properties: properties, body });
  }

  /**
   * A link disposition from a peek-lock receiver. Service Bus settles the delivery in return; if
   * the lock was already lost it rejects it with `com.microsoft:message-lock-lost`, which the SDK
   * raises as MessageLockLost.
   */
  private onDisposition(ctx: EventContext, outcome: SettleOutcome | "released"): void {
    const delivery = ctx.delivery;
    if (delivery === undefined) return;
    const target = this.deliveries.get(delivery);
    if (target === undefined) {
      // receiveAndDelete deliveries, or replies on $cbs/$management: nothing to do.
      if (!delivery.settled) settleDelivery(delivery);
      return;
    }
    this.deliveries.delete(delivery);
    const queue = target.consumer.queue;
    // `released` means the client never processed it (e.g. it closed with unused prefetch): the
    // lock is dropped without counting a failed delivery.
    const settled =
      outcome === "released" ? queue.release(target.lockToken) : queue.settle(target.lockToken, outcome);
    if (settled) {
      settleDelivery(delivery, outcomes.accepted().described());
    } else {
      settleDelivery(
        delivery,
        outcomes
          .rejected({
            error: {
              condition: "com.microsoft:message-lock-lost",
              description:
                "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.",
            },
          })
          .described(),
      );
    }
  }
}

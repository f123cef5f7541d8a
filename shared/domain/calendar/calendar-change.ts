import { z } from "zod";
import { contentHash } from "../sync/content-hash";

/**
 * The work on the `calendar-changes` queue. Every message names one room; the consumer reads that
 * room's calendar from Graph (never trusting the notification's content), so a duplicated, reordered
 * or late message is harmless: it re-reads a state that is already current.
 *
 * - `room-changed`: Graph notified changes to events of the room's calendar (intake);
 * - `room-resync`: read the room's calendar in full (lifecycle `missed`, a recreated subscription, an
 *   expired delta token, an admin's request);
 * - `subscription-recreate` / `subscription-reauthorize`: lifecycle events whose answer needs Graph.
 */
export const changeTypes = ["created", "updated", "deleted"] as const;
export type ChangeType = (typeof changeTypes)[number];

export const resyncReasons = [
  "missed",
  "subscription-created",
  "subscription-recreated",
  "reauthorized",
  "delta-expired",
  "admin",
] as const;
export type ResyncReason = (typeof resyncReasons)[number];

const roomId = z.string().min(3).max(320);
const subscriptionId = z.string().min(1).max(200);

export const eventChangeSchema = z.object({
  changeType: z.enum(changeTypes),
  eventId: z.string().min(1).max(512),
});
export type EventChange = z.infer<typeof eventChangeSchema>;

export const calendarChangeMessageSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("room-changed"),
    roomId,
    subscriptionId,
    reason: z.literal("notification"),
    changes: z.array(eventChangeSchema).min(1).max(1000),
    /** When the intake accepted the batch (ISO instant). */
    receivedAt: z.iso.datetime(),
  }),
  z.object({
    kind: z.literal("room-resync"),
    roomId,
    subscriptionId: subscriptionId.optional(),
    reason: z.enum(resyncReasons),
    receivedAt: z.iso.datetime().optional(),
  }),
  z.object({
    kind: z.enum(["subscription-recreate", "subscription-reauthorize"]),
    roomId,
    subscriptionId,
    reason: z.enum(["subscriptionRemoved", "reauthorizationRequired"]),
    receivedAt: z.iso.datetime(),
  }),
]);
export type CalendarChangeMessage = z.infer<typeof calendarChangeMessageSchema>;

/**
 * A message id that is the same for the same content: Graph redelivering a batch (or two workers
 * accepting the same notifications) yields the same id, and the broker or the idempotent consumer
 * absorbs the copy. The receive time is left out on purpose.
 */
export function calendarChangeMessageId(message: CalendarChangeMessage): string {
  switch (message.kind) {
    case "room-changed": {
      const changes = [...message.changes]
        .map((c) => `${c.changeType}:${c.eventId}`)
        .sort()
        .join(",");
      return `cc-${contentHash({ k: message.kind, r: message.roomId, s: message.subscriptionId, changes })}`;
    }
    case "room-resync":
      // One resync per room and reason at a time is enough; the time bucket lets a later one through.
      return `cc-${contentHash({ k: message.kind, r: message.roomId, why: message.reason, at: message.receivedAt ?? "" })}`;
    default:
      return `cc-${contentHash({ k: message.kind, r: message.roomId, s: message.subscriptionId })}`;
  }
}

// ---------------------------------------------------------------- what Graph posts

/** One change notification as Graph posts it (basic notifications: no resource data). */
export const changeNotificationSchema = z.object({
  subscriptionId: z.string().min(1).max(200),
  clientState: z.string().max(128).nullish(),
  changeType: z.string().max(100),
  resource: z.string().max(2048).optional(),
  resourceData: z
    .object({ id: z.string().min(1).max(512) })
    .loose()
    .nullish(),
  tenantId: z.string().max(100).nullish(),
});
export type ChangeNotification = z.infer<typeof changeNotificationSchema>;

export const lifecycleEvents = ["reauthorizationRequired", "subscriptionRemoved", "missed"] as const;
export type LifecycleEvent = (typeof lifecycleEvents)[number];

export const lifecycleNotificationSchema = z.object({
  subscriptionId: z.string().min(1).max(200),
  clientState: z.string().max(128).nullish(),
  lifecycleEvent: z.string().max(100),
  tenantId: z.string().max(100).nullish(),
});
export type LifecycleNotification = z.infer<typeof lifecycleNotificationSchema>;

/** `{ value: [...] }`, at most Graph's batch size (100) and then some. */
export const notificationCollectionSchema = <T extends z.ZodType>(item: T) =>
  z.object({ value: z.array(item).max(1000) });

/** The event id of a notification: `resourceData.id`, else the last segment of `Users/{id}/Events/{id}`. */
export function eventIdOf(n: ChangeNotification): string | undefined {
  const fromData = n.resourceData?.id;
  if (fromData !== undefined) return fromData;
  const m = /\/events\/([^/?]+)$/i.exec(n.resource ?? "");
  return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
}

export function isChangeType(value: string): value is ChangeType {
  return (changeTypes as readonly string[]).includes(value);
}

export function isLifecycleEvent(value: string): value is LifecycleEvent {
  return (lifecycleEvents as readonly string[]).includes(value);
}

import {
  calendarChangeMessageId,
  eventIdOf,
  isChangeType,
  isLifecycleEvent,
  type CalendarChangeMessage,
  type ChangeNotification,
  type EventChange,
  type LifecycleNotification,
} from "../../domain/calendar/calendar-change";
import type { RoomSubscription } from "../../domain/calendar/room-subscription";
import type {
  RejectedNotificationCounter,
  RejectionReason,
  RoomSubscriptionStore,
} from "../ports/room-calendars";
import type { QueuedWork, WorkQueue } from "../ports/work-queue";
import { clientStateMatches } from "./client-state";

export interface IntakeDependencies {
  readonly subscriptions: Pick<RoomSubscriptionStore, "find">;
  readonly workQueue: WorkQueue;
  readonly rejected: RejectedNotificationCounter;
  readonly now: () => Date;
}

export interface IntakeResult {
  readonly accepted: number;
  readonly rejected: Partial<Record<RejectionReason, number>>;
  readonly messages: number;
}

/**
 * POST /api/graph/notifications: each notification must name a subscription ONES made and carry its
 * clientState (compared by hash, in constant time); others are dropped and counted, and nothing of
 * theirs is queued. What is left is queued on `calendar-changes`, one message per room, with an id
 * derived from the content, so Graph delivering the batch again queues the same message again.
 * The only storage access is one lookup of the subscriptions (cached per worker).
 */
export async function acceptChangeNotifications(
  deps: IntakeDependencies,
  notifications: readonly ChangeNotification[],
): Promise<IntakeResult> {
  const { known, rejected } = await authenticate(deps, notifications);
  const byRoom = new Map<string, { sub: RoomSubscription; changes: Map<string, EventChange> }>();
  for (const { notification, sub } of known) {
    const eventId = eventIdOf(notification);
    if (eventId === undefined || !isChangeType(notification.changeType)) {
      count(rejected, "malformed");
      continue;
    }
    let room = byRoom.get(sub.roomId);
    if (room === undefined) {
      room = { sub, changes: new Map() };
      byRoom.set(sub.roomId, room);
    }
    room.changes.set(`${notification.changeType}:${eventId}`, {
      changeType: notification.changeType,
      eventId,
    });
  }
  const receivedAt = deps.now().toISOString();
  const work: QueuedWork[] = [...byRoom].map(([roomId, { sub, changes }]) => {
    const message: CalendarChangeMessage = {
      kind: "room-changed",
      roomId,
      subscriptionId: sub.subscriptionId,
      reason: "notification",
      changes: [...changes.values()],
      receivedAt,
    };
    return { id: calendarChangeMessageId(message), body: message };
  });
  await deps.workQueue.enqueue("calendar-changes", work);
  report(deps, rejected);
  const accepted = [...byRoom.values()].reduce((n, r) => n + r.changes.size, 0);
  return { accepted, rejected, messages: work.length };
}

/**
 * POST /api/graph/lifecycle: authenticated like change notifications, then answered through the queue
 * (each answer needs Graph): `missed` → a full read of the room; `subscriptionRemoved` → a new
 * subscription; `reauthorizationRequired` → renewal, which reauthorizes.
 */
export async function acceptLifecycleNotifications(
  deps: IntakeDependencies,
  notifications: readonly LifecycleNotification[],
): Promise<IntakeResult> {
  const { known, rejected } = await authenticate(deps, notifications);
  const receivedAt = deps.now().toISOString();
  const work = new Map<string, QueuedWork>();
  for (const { notification, sub } of known) {
    const event = notification.lifecycleEvent;
    if (!isLifecycleEvent(event)) {
      count(rejected, "malformed");
      continue;
    }
    const base = { roomId: sub.roomId, subscriptionId: sub.subscriptionId, receivedAt };
    const message: CalendarChangeMessage =
      event === "missed"
        ? { kind: "room-resync", reason: "missed", ...base }
        : event === "subscriptionRemoved"
          ? { kind: "subscription-recreate", reason: event, ...base }
          : { kind: "subscription-reauthorize", reason: event, ...base };
    const id = calendarChangeMessageId(message);
    work.set(id, { id, body: message });
  }
  await deps.workQueue.enqueue("calendar-changes", [...work.values()]);
  report(deps, rejected);
  return { accepted: work.size, rejected, messages: work.size };
}

async function authenticate<N extends { subscriptionId: string; clientState?: string | null | undefined }>(
  deps: IntakeDependencies,
  notifications: readonly N[],
): Promise<{
  known: Array<{ notification: N; sub: RoomSubscription }>;
  rejected: Partial<Record<RejectionReason, number>>;
}> {
  const rejected: Partial<Record<RejectionReason, number>> = {};
  const ids = [...new Set(notifications.map((n) => n.subscriptionId))];
  const subs = ids.length === 0 ? new Map<string, RoomSubscription>() : await deps.subscriptions.find(ids);
  const known: Array<{ notification: N; sub: RoomSubscription }> = [];
  for (const notification of notifications) {
    const sub = subs.get(notification.subscriptionId);
    if (sub === undefined) count(rejected, "unknown-subscription");
    else if (!clientStateMatches(notification.clientState, sub.clientStateHash))
      count(rejected, "client-state-mismatch");
    else known.push({ notification, sub });
  }
  return { known, rejected };
}

function count(rejected: Partial<Record<RejectionReason, number>>, reason: RejectionReason): void {
  rejected[reason] = (rejected[reason] ?? 0) + 1;
}

function report(deps: IntakeDependencies, rejected: Partial<Record<RejectionReason, number>>): void {
  const at = deps.now();
  for (const [reason, n] of Object.entries(rejected) as Array<[RejectionReason, number]>) {
    deps.rejected.add(reason, n, at);
  }
}

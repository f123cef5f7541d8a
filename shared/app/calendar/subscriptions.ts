import {
  calendarChangeMessageId,
  type CalendarChangeMessage,
  type ResyncReason,
} from "../../domain/calendar/calendar-change";
import {
  renewalDueAt,
  requestedExpiry,
  type RoomSubscription,
} from "../../domain/calendar/room-subscription";
import { isAppError } from "../../domain/errors";
import { hasCapability } from "../../domain/integration/capabilities";
import { graphRequestIdOf } from "../../domain/integration/graph-call-error";
import type { Room } from "../../domain/rooms/room";
import type { IntegrationStore } from "../ports/integration-store";
import type { RoomSubscriptionStore, RoomSyncStateStore, SubscriptionGateway } from "../ports/room-calendars";
import type { RoomStore } from "../ports/sync-store";
import type { WorkQueue } from "../ports/work-queue";
import { hashClientState } from "./client-state";

export interface SubscriptionDependencies {
  readonly integration: IntegrationStore;
  readonly rooms: Pick<RoomStore, "rooms" | "room">;
  readonly subscriptions: RoomSubscriptionStore;
  readonly gateway: SubscriptionGateway;
  readonly roomState: RoomSyncStateStore;
  readonly workQueue: WorkQueue;
  /** Our `/api/graph/notifications` and `/api/graph/lifecycle` as Graph reaches them. */
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  /** Lifetime asked for each subscription (SUBSCRIPTION_LIFETIME_MINUTES). */
  readonly lifetimeMinutes: number;
  readonly now: () => Date;
  readonly newClientState: () => string;
  /** Rooms worked on at once (each call also waits for its mailbox's slot). */
  readonly concurrency?: number;
  readonly log?: (message: string) => void;
}

/**
 * Rooms subscribed or renewed at once. Graph allows 1,000 subscription writes per app per tenant in
 * 20 s; two at a time stays under 270 in 20 s even at 150 ms a call, so subscribing 10,000 rooms at once
 * (a new tenant) keeps more than 3× headroom and leaves room for the intake's own calls.
 */
export const SUBSCRIPTION_CONCURRENCY = 2;

export interface SubscriptionRunCounts {
  created: number;
  renewed: number;
  recreated: number;
  removed: number;
  failed: number;
  unchanged: number;
}

const zero = (): SubscriptionRunCounts => ({
  created: 0,
  renewed: 0,
  recreated: 0,
  removed: 0,
  failed: 0,
  unchanged: 0,
});

/** Whether the integration's mode gets change notifications (the application modes). */
export async function notificationsApply(
  deps: Pick<SubscriptionDependencies, "integration">,
): Promise<boolean> {
  const mode = (await deps.integration.get())?.mode;
  return mode !== undefined && hasCapability(mode, "change-notifications");
}

/**
 * The `subscriptions-renew` timer, and the room sync's follow-up (`onlyMissing`): every active room
 * has exactly one live subscription, rooms that are gone have none. Renewal falls due at half the
 * lifetime, earlier by a fixed per-room offset (see renewalDueAt), so renewals spread over the window;
 * an expired subscription, or one Graph no longer knows (404 on renewal), is recreated; one that asked
 * for reauthorization is renewed (which reauthorizes it). Rooms are worked on a few at a time.
 */
export async function maintainSubscriptions(
  deps: SubscriptionDependencies,
  options: { readonly onlyMissing?: boolean } = {},
): Promise<SubscriptionRunCounts | "not-applicable"> {
  if (!(await notificationsApply(deps))) return "not-applicable";
  const counts = zero();
  const now = deps.now();
  const lifetimeMs = deps.lifetimeMinutes * 60_000;
  const rooms = new Map((await deps.rooms.rooms()).filter((r) => r.active).map((r) => [r.id, r]));
  const byRoom = new Map<string, RoomSubscription[]>();
  for (const sub of await deps.subscriptions.all()) {
    byRoom.set(sub.roomId, [...(byRoom.get(sub.roomId) ?? []), sub]);
  }

  const work: Array<() => Promise<void>> = [];
  for (const [roomId, subs] of byRoom) {
    if (rooms.has(roomId)) continue;
    // The room went inactive (or is unknown): nothing to watch.
    for (const sub of subs) work.push(() => removeSubscription(deps, sub, roomId, counts));
  }
  for (const room of rooms.values()) {
    const subs = [...(byRoom.get(room.id) ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const [current, ...extra] = subs;
    for (const sub of extra) work.push(() => removeSubscription(deps, sub, room.email, counts));
    if (current === undefined) {
      work.push(() =>
        guarded(deps, room, counts, () =>
          subscribeRoom(deps, room, "subscription-created").then(() => void counts.created++),
        ),
      );
      continue;
    }
    if (options.onlyMissing === true) continue;
    if (Date.parse(current.expiresAt) <= now.getTime()) {
      work.push(() =>
        guarded(deps, room, counts, () => recreate(deps, room, current).then(() => void counts.recreated++)),
      );
    } else if (current.state === "reauthorization-required" || renewalDueAt(current, lifetimeMs) <= now) {
      work.push(() => guarded(deps, room, counts, () => renewOrRecreate(deps, room, current, counts)));
    } else counts.unchanged++;
  }
  await runLimited(work, deps.concurrency ?? SUBSCRIPTION_CONCURRENCY);
  deps.log?.(
    `subscriptions: ${counts.created} created, ${counts.renewed} renewed, ${counts.recreated} recreated, ${counts.removed} removed, ${counts.failed} failed`,
  );
  return counts;
}

/**
 * Subscribes to a room's calendar: a fresh random clientState (only its hash is stored), the row and
 * the room's record saved, then a full read of the room queued, since changes made before the
 * subscription existed were never notified.
 */
export async function subscribeRoom(
  deps: SubscriptionDependencies,
  room: Pick<Room, "id" | "email">,
  reason: Extract<ResyncReason, "subscription-created" | "subscription-recreated">,
): Promise<RoomSubscription> {
  const now = deps.now();
  const clientState = deps.newClientState();
  const created = await deps.gateway.create({
    roomEmail: room.email,
    notificationUrl: deps.notificationUrl,
    lifecycleNotificationUrl: deps.lifecycleNotificationUrl,
    clientState,
    expiresAt: requestedExpiry(now, deps.lifetimeMinutes),
  });
  const sub: RoomSubscription = {
    subscriptionId: created.id,
    roomId: room.id,
    clientStateHash: hashClientState(clientState),
    expiresAt: created.expiresAt,
    createdAt: now.toISOString(),
    state: "active",
  };
  await store(deps, sub);
  await enqueueResync(deps, room.id, reason, sub.subscriptionId);
  deps.log?.(`subscription ${sub.subscriptionId} made for room ${room.id} (${reason})`);
  return sub;
}

/** Drops the old subscription (in Graph too, if it still exists) and makes a new one. */
export async function recreate(
  deps: SubscriptionDependencies,
  room: Pick<Room, "id" | "email">,
  old: RoomSubscription | undefined,
): Promise<RoomSubscription> {
  if (old !== undefined) {
    await deps.gateway.remove(old.subscriptionId, room.email);
    await deps.subscriptions.remove(old.subscriptionId);
  }
  return subscribeRoom(deps, room, "subscription-recreated");
}

async function renewOrRecreate(
  deps: SubscriptionDependencies,
  room: Room,
  sub: RoomSubscription,
  counts: SubscriptionRunCounts,
): Promise<void> {
  try {
    await renew(deps, room, sub);
    counts.renewed++;
  } catch (error) {
    if (!isAppError(error) || error.code !== "not-found") throw error;
    await deps.subscriptions.remove(sub.subscriptionId);
    await subscribeRoom(deps, room, "subscription-recreated");
    counts.recreated++;
  }
}

/** PATCHes a later expiry (which also reauthorizes), and records it. */
export async function renew(
  deps: SubscriptionDependencies,
  room: Pick<Room, "id" | "email">,
  sub: RoomSubscription,
): Promise<RoomSubscription> {
  const now = deps.now();
  const renewed = await deps.gateway.renew(
    sub.subscriptionId,
    room.email,
    requestedExpiry(now, deps.lifetimeMinutes),
  );
  const next: RoomSubscription = {
    ...sub,
    expiresAt: renewed.expiresAt,
    renewedAt: now.toISOString(),
    state: "active",
  };
  await store(deps, next);
  return next;
}

/** Saves the subscription and shows it active on the room's record. */
async function store(deps: SubscriptionDependencies, sub: RoomSubscription): Promise<void> {
  await deps.subscriptions.save(sub);
  await deps.roomState.update(sub.roomId, {
    subscriptionId: sub.subscriptionId,
    subscriptionState: "active",
    subscriptionExpiresAt: sub.expiresAt,
    lastError: null,
  });
}

/**
 * Lifecycle `reauthorizationRequired`: the subscription is renewed (PATCH reauthorizes and extends), or
 * recreated when Graph no longer has it; changes in the pause may be lost, so the room is read in full.
 */
export async function reauthorizeSubscription(
  deps: SubscriptionDependencies,
  room: Pick<Room, "id" | "email">,
  subscriptionId: string,
): Promise<"renewed" | "recreated" | "unknown"> {
  const sub = (await deps.subscriptions.ofRoom(room.id)).find((s) => s.subscriptionId === subscriptionId);
  if (sub === undefined) return "unknown";
  await deps.roomState.update(room.id, { subscriptionState: "reauthorization-required" });
  try {
    await renew(deps, room, sub);
  } catch (error) {
    if (!isAppError(error) || error.code !== "not-found") throw error;
    await recreate(deps, room, sub);
    return "recreated";
  }
  await enqueueResync(deps, room.id, "reauthorized", sub.subscriptionId);
  return "renewed";
}

/**
 * Lifecycle `subscriptionRemoved`: Graph dropped the subscription; a new one is made (which queues a
 * full read). A notice about a subscription that is no longer the room's current one does nothing.
 */
export async function replaceRemovedSubscription(
  deps: SubscriptionDependencies,
  room: Pick<Room, "id" | "email">,
  subscriptionId: string,
): Promise<"recreated" | "unknown"> {
  const sub = (await deps.subscriptions.ofRoom(room.id)).find((s) => s.subscriptionId === subscriptionId);
  if (sub === undefined) return "unknown";
  await deps.roomState.update(room.id, { subscriptionState: "removed" });
  await recreate(deps, room, sub);
  return "recreated";
}

async function removeSubscription(
  deps: SubscriptionDependencies,
  sub: RoomSubscription,
  roomEmail: string,
  counts: SubscriptionRunCounts,
): Promise<void> {
  try {
    await deps.gateway.remove(sub.subscriptionId, roomEmail);
    await deps.subscriptions.remove(sub.subscriptionId);
    const state = await deps.roomState.get(sub.roomId);
    if (state?.subscriptionId === sub.subscriptionId) {
      await deps.roomState.update(sub.roomId, {
        subscriptionState: "not-applicable",
        subscriptionId: null,
        subscriptionExpiresAt: null,
      });
    }
    counts.removed++;
  } catch (error) {
    counts.failed++;
    deps.log?.(`subscription ${sub.subscriptionId} not removed: ${codeOf(error)}`);
  }
}

/** One room's work; a failure is recorded on the room and counted, and the run goes on. */
async function guarded(
  deps: SubscriptionDependencies,
  room: Room,
  counts: SubscriptionRunCounts,
  action: () => Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    counts.failed++;
    const requestId = graphRequestIdOf(error);
    deps.log?.(`subscription for room ${room.id} failed: ${codeOf(error)} (request ${requestId ?? "-"})`);
    await deps.roomState
      .update(room.id, {
        subscriptionState: "failed",
        lastError: {
          code: codeOf(error),
          at: deps.now().toISOString(),
          ...(requestId === undefined ? {} : { graphRequestId: requestId }),
        },
      })
      .catch(() => undefined);
  }
}

async function enqueueResync(
  deps: Pick<SubscriptionDependencies, "workQueue" | "now">,
  roomId: string,
  reason: ResyncReason,
  subscriptionId?: string,
): Promise<void> {
  const message: CalendarChangeMessage = {
    kind: "room-resync",
    roomId,
    reason,
    receivedAt: deps.now().toISOString(),
    ...(subscriptionId === undefined ? {} : { subscriptionId }),
  };
  await deps.workQueue.enqueue("calendar-changes", { id: calendarChangeMessageId(message), body: message });
}

function codeOf(error: unknown): string {
  return isAppError(error) ? error.code : "unexpected";
}

async function runLimited(work: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < work.length) {
      const task = work[next++];
      if (task !== undefined) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, work.length) }, lane));
}

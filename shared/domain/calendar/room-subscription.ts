import { contentHash } from "../sync/content-hash";

/** The state of a room calendar's subscription, as the admin's sync status shows it. */
export const subscriptionStates = [
  "active",
  "reauthorization-required",
  "removed",
  "failed",
  "not-applicable",
] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

/**
 * A Graph subscription on one room's calendar (`/users/{room}/events`). Its `clientState` is a random
 * secret known only to Graph and to this row's hash of it: a notification proves it comes from Graph
 * for this subscription by carrying the secret whose SHA-256 matches.
 */
export interface RoomSubscription {
  readonly subscriptionId: string;
  readonly roomId: string;
  /** SHA-256 of the clientState, hex. The secret itself is never stored. */
  readonly clientStateHash: string;
  readonly expiresAt: string;
  readonly createdAt: string;
  readonly renewedAt?: string;
  readonly state: "active" | "reauthorization-required";
}

/** The resource a room's subscription watches. */
export function roomEventsResource(roomEmail: string): string {
  return `/users/${roomEmail}/events`;
}

/**
 * When a subscription is renewed: once half its lifetime is left, moved earlier by a per-room offset
 * of up to a quarter of the lifetime. Rooms subscribed in the same minute therefore fall due in
 * different runs of the renewal timer, and the renewals spread over the renewal window instead of
 * landing in one burst. The offset is fixed per room, so the order is stable run to run.
 */
export function renewalDueAt(sub: Pick<RoomSubscription, "roomId" | "expiresAt">, lifetimeMs: number): Date {
  const expires = Date.parse(sub.expiresAt);
  const spread = lifetimeMs / 4;
  const offset = (parseInt(contentHash(sub.roomId), 36) % 10_000) / 10_000;
  return new Date(expires - lifetimeMs / 2 - offset * spread);
}

/** The expiry to ask Graph for: `lifetimeMinutes` from now, to the whole second. */
export function requestedExpiry(now: Date, lifetimeMinutes: number): Date {
  return new Date(Math.floor((now.getTime() + lifetimeMinutes * 60_000) / 1000) * 1000);
}

/**
 * Graph answers an over-long expiry with 400 "Subscription expiration can only be N minutes in the
 * future" (N has changed over the years: 4230, 10070). The N it names, when the text says so.
 */
export function maxMinutesFromGraphMessage(message: string): number | undefined {
  const m = /can only be (\d+) minutes in the future/i.exec(message);
  const n = m?.[1] === undefined ? Number.NaN : Number(m[1]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

import { sessionAbsoluteMs } from "../domain/auth/principal";
import type { ExpiredRowPurge } from "./ports/expired-rows";

export interface HousekeepingDependencies {
  readonly signInRequests: ExpiredRowPurge;
  readonly sessions: ExpiredRowPurge;
  readonly mailSent: ExpiredRowPurge;
  readonly deadLetterReplays: ExpiredRowPurge;
  readonly now: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a sent mail id is remembered: far past any redelivery of its message. */
export const MAIL_SENT_RETENTION_MS = 30 * DAY_MS;
/** How long a replay is remembered, to answer a second replay of the same id with 409. */
export const REPLAY_RETENTION_MS = 30 * DAY_MS;

export type HousekeepingArea = "signInRequests" | "sessions" | "mailSent" | "deadLetterReplays";

export interface HousekeepingResult {
  /** Rows deleted per area. */
  readonly deleted: Record<HousekeepingArea, number>;
  /** Areas whose purge failed (the others still ran); the next run tries again. */
  readonly failed: HousekeepingArea[];
}

/**
 * Deletes rows nobody can use any more: started sign-ins past their lifetime, sessions past their
 * absolute expiry, sent-mail ids older than 30 days and replay records older than 30 days.
 */
export async function runHousekeeping(deps: HousekeepingDependencies): Promise<HousekeepingResult> {
  const now = deps.now().getTime();
  const plan: [HousekeepingArea, ExpiredRowPurge, Date][] = [
    ["signInRequests", deps.signInRequests, new Date(now)],
    ["sessions", deps.sessions, new Date(now - sessionAbsoluteMs)],
    ["mailSent", deps.mailSent, new Date(now - MAIL_SENT_RETENTION_MS)],
    ["deadLetterReplays", deps.deadLetterReplays, new Date(now - REPLAY_RETENTION_MS)],
  ];
  const deleted: Record<HousekeepingArea, number> = {
    signInRequests: 0,
    sessions: 0,
    mailSent: 0,
    deadLetterReplays: 0,
  };
  const failed: HousekeepingArea[] = [];
  for (const [area, store, before] of plan) {
    try {
      deleted[area] = await store.purgeExpired(before);
    } catch {
      failed.push(area);
    }
  }
  return { deleted, failed };
}

import type { RoomSubscription, SubscriptionState } from "../../domain/calendar/room-subscription";
import type { Room } from "../../domain/rooms/room";

// ---------------------------------------------------------------- Graph subscriptions

export interface SubscriptionRequest {
  readonly roomEmail: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  /** The per-subscription secret Graph echoes in every notification (≤ 128 characters). */
  readonly clientState: string;
  readonly expiresAt: Date;
}

/**
 * Graph's /subscriptions for room calendars (app-only token). Calls carry the room's mailbox so the
 * per-mailbox request limit holds. An expiry longer than Graph allows is retried with the maximum
 * Graph names in its 400, and the shorter expiry is what the call resolves to.
 */
export interface SubscriptionGateway {
  create(request: SubscriptionRequest): Promise<{ readonly id: string; readonly expiresAt: string }>;
  /** Extends (and reauthorizes) the subscription; a `not-found` AppError when Graph no longer has it. */
  renew(id: string, roomEmail: string, expiresAt: Date): Promise<{ readonly expiresAt: string }>;
  /** Reauthorizes without extending; `not-found` when Graph no longer has it. */
  reauthorize(id: string, roomEmail: string): Promise<void>;
  /** Deletes the subscription; one Graph no longer has counts as deleted. */
  remove(id: string, roomEmail: string): Promise<void>;
}

/** Room subscriptions ONES made, by Graph's subscription id. */
export interface RoomSubscriptionStore {
  /**
   * Rows by subscription id, for the notification intake: one table request however many ids (a point
   * read for one), and rows cached for a short while per worker.
   */
  find(ids: readonly string[]): Promise<Map<string, RoomSubscription>>;
  /** Every row, uncached (the renewal timer). */
  all(): Promise<RoomSubscription[]>;
  /** The rows of one room, uncached. */
  ofRoom(roomId: string): Promise<RoomSubscription[]>;
  save(subscription: RoomSubscription): Promise<void>;
  remove(subscriptionId: string): Promise<void>;
}

export const rejectionReasons = ["unknown-subscription", "client-state-mismatch", "malformed"] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/**
 * Counts notifications the intake dropped. Counting never waits for storage: counts are kept per
 * worker and written in the background, each worker to its own row.
 */
export interface RejectedNotificationCounter {
  add(reason: RejectionReason, count: number, at: Date): void;
  /** Totals over every worker. */
  totals(): Promise<{ readonly counts: Readonly<Record<RejectionReason, number>>; readonly lastAt?: string }>;
}

// ---------------------------------------------------------------- reading room calendars

/** One event of a room's calendar as ONES reads it (instances: occurrences, not series masters). */
export interface RoomCalendarEvent {
  readonly id: string;
  /** Graph answered this id under `@removed` (deleted, or moved out of the window). */
  readonly removed: boolean;
  readonly iCalUId?: string;
  readonly type?: string;
  readonly seriesMasterId?: string;
  /** An occurrence's or exception's original start (UTC instant): its key in the series. */
  readonly originalStart?: string;
  /** UTC instants (the reader asks Graph for UTC). */
  readonly start?: string;
  readonly end?: string;
  readonly isCancelled?: boolean;
  readonly organizerEmail?: string;
  readonly changeKey?: string;
  /**
   * When Exchange last changed the event (`lastModifiedDateTime`, UTC instant): never goes back for
   * an id, so of two reads of the same event the one with the older instant is the stale one.
   */
  readonly lastModified?: string;
}

export interface CalendarWindow {
  readonly start: Date;
  readonly end: Date;
}

export interface RoomCalendarRead {
  readonly events: readonly RoomCalendarEvent[];
  /** Where the next read of changes starts. */
  readonly deltaLink: string;
}

/**
 * A room's calendar through Graph's `calendarView/delta`: everything in `window` when there is no
 * delta link, else what changed since it. A delta link Graph no longer knows (410, syncStateNotFound)
 * fails with a GraphCallError whose `deltaExpired` is true.
 */
export interface RoomCalendarReader {
  read(
    roomEmail: string,
    from: { readonly deltaLink: string } | { readonly window: CalendarWindow },
  ): Promise<RoomCalendarRead>;
}

/**
 * What one read of a room's calendar found. A full batch holds the whole window: what ONES holds
 * there, Graph did not list, and no newer read has recorded since `since` is gone. `since` is what
 * `beginFullRead` answered before the read's first request to Graph.
 */
export type RoomCalendarBatch =
  | {
      readonly full: false;
      readonly window?: CalendarWindow;
      readonly events: readonly RoomCalendarEvent[];
    }
  | {
      readonly full: true;
      readonly since: number;
      readonly window?: CalendarWindow;
      readonly events: readonly RoomCalendarEvent[];
    };

/**
 * Where a room's calendar, as read, goes. The booking store implements this (matching room copies to
 * ONES bookings, creating Outlook-made ones, applying the room's policy).
 */
export interface RoomCalendarSink {
  /**
   * To be called before a full read of the room starts (before its first Graph request); its answer
   * is the full batch's `since`. Reads of one room may overlap: an older full read then leaves alone
   * what a newer read recorded.
   */
  beginFullRead(room: Room): Promise<number>;
  apply(
    room: Room,
    batch: RoomCalendarBatch,
  ): Promise<{
    readonly upserted: number;
    readonly removed: number;
    /** The version each booking the batch saved was left at, by booking id. */
    readonly saved?: ReadonlyMap<string, number>;
  }>;
  /**
   * After a full batch was applied and the room still differs from ONES (the reconcile): brings the
   * slots of every booking on one side only in line with its booking (none once it ended). Bookings
   * changed since `readStartedAt` are left to the next run, unless the change was the batch's own
   * (`saved`: what `apply` answered, the booking still at that version). Answers how many bookings it
   * wrote.
   */
  repair?(
    room: Room,
    read: { readonly window: CalendarWindow; readonly events: readonly RoomCalendarEvent[] },
    readStartedAt: Date,
    saved?: ReadonlyMap<string, number>,
  ): Promise<number>;
}

// ---------------------------------------------------------------- per-room bookkeeping

export interface RoomSyncError {
  readonly code: string;
  readonly at: string;
  readonly graphRequestId?: string;
}

/** What ONES knows of one room's calendar sync (GET /api/admin/sync, `rooms`). */
export interface RoomSyncRecord {
  readonly roomId: string;
  readonly lastNotificationAt?: string;
  readonly subscriptionState?: SubscriptionState;
  readonly subscriptionId?: string;
  readonly subscriptionExpiresAt?: string;
  /** Last read of the room's calendar from Graph, and whether it was a full read or changes only. */
  readonly lastReadAt?: string;
  readonly lastReadKind?: "full" | "delta";
  readonly eventsRead?: number;
  /** Last delegated poll and reconcile, drift found and repaired (written by those runs). */
  readonly lastPollAt?: string;
  readonly lastReconcileAt?: string;
  readonly driftFound?: number;
  readonly driftRepaired?: number;
  /**
   * Delegated polling: whose token last read the room (a ONES user id), whether a signed-in user the
   * room's calendar is shared with exists (`no-sharing-user`: none of them may read it), and how the
   * room is read (`calendarView` where Graph refuses the delta's follow-up links).
   */
  readonly pollUserId?: string;
  readonly pollAccess?: "ok" | "no-sharing-user";
  readonly pollMethod?: "delta" | "calendarView";
  /** Outlook bookings breaking the room's policy that ONES could not decline (delegated modes). */
  readonly policyFlags?: number;
  readonly lastPolicyFlag?: { readonly bookingId: string; readonly rule: string; readonly at: string };
  readonly lastError?: RoomSyncError;
}

/**
 * What the last plain read of a room found (delegated polling): a digest of its events and the
 * window's start, so an unchanged calendar is not handed to the sink again. Kept beside the record.
 */
export interface RoomViewDigest {
  readonly digest: string;
  readonly windowStart: string;
}

/** The delta position of a room (kept beside the record, never shown). */
export interface RoomDeltaPosition {
  readonly deltaLink: string;
  readonly windowStart: string;
  readonly windowEnd: string;
}

export interface RoomSyncStateStore {
  get(
    roomId: string,
  ): Promise<
    | (RoomSyncRecord & { readonly delta?: RoomDeltaPosition; readonly viewDigest?: RoomViewDigest })
    | undefined
  >;
  /** Merges the given fields into the room's record (fields set to `null` are cleared). */
  update(
    roomId: string,
    patch: { readonly [K in keyof Omit<RoomSyncRecord, "roomId">]?: RoomSyncRecord[K] | null } & {
      readonly delta?: RoomDeltaPosition | null;
      readonly viewDigest?: RoomViewDigest | null;
    },
  ): Promise<void>;
  page(
    limit: number,
    continuation?: string,
  ): Promise<{ readonly items: RoomSyncRecord[]; readonly continuation?: string }>;
}

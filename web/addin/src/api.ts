import { query, request } from "../../src/api/client";
import type { CapabilityReport } from "../../src/api/types";

/**
 * The pane's one way to ONES: rooms free for the meeting, holds, and what the mode allows. Every call
 * carries the Entra access token as Bearer when the pane has one (in Outlook), else the session cookie
 * (the stand-in host on the local stack).
 */

/** A room as GET /api/rooms lists it. */
export interface AddinRoom {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly capacity: number | null;
  readonly building: { readonly id: string; readonly name: string };
  readonly floor: {
    readonly id: string | null;
    readonly label: string | null;
    readonly number: number | null;
  };
  readonly wheelchairAccessible: boolean;
  readonly tags: readonly string[];
  readonly devices: readonly string[];
  readonly timeZone: string;
}

/** A room's rules as GET /api/rooms/{id} answers them (what a booking form shows before the choice). */
export interface RoomPolicySummary {
  readonly requiresApproval: boolean;
  readonly checkIn: {
    readonly required: boolean;
    readonly windowBeforeMinutes: number;
    readonly graceAfterMinutes: number;
  };
  readonly termsOfUse: string | null;
  readonly allowRecurring: boolean;
  readonly allowAllDay: boolean;
  readonly allowOvernight: boolean;
  readonly allowMultiRoom: boolean;
  /** Hours in the room's time zone on these days; null = any time. */
  readonly businessHours: {
    readonly days: readonly string[];
    readonly start: string;
    readonly end: string;
  } | null;
  readonly minDurationMinutes: number | null;
  readonly maxDurationMinutes: number | null;
  readonly bookingWindowDays: number | null;
}

export interface RoomPage {
  readonly items: readonly AddinRoom[];
  readonly cursor?: string;
}

/** Rooms free for the whole of [from, to) (the server leaves out busy ones) that seat `capacity`. */
export interface RoomQuery {
  readonly from: string;
  readonly to: string;
  readonly capacity: number;
  readonly building?: string;
  readonly floor?: string;
  /** Comma-separated tags or devices, every one required. */
  readonly equipment?: string;
  readonly limit?: number;
}

export interface NewHold {
  readonly roomId: string;
  readonly start: string;
  readonly end: string;
  readonly attendeeCount: number;
}

/** A short-lived reservation of a room's slot while the meeting is composed in Outlook. */
export interface Hold {
  readonly id: string;
  readonly roomId: string;
  readonly start: string;
  readonly end: string;
  readonly expiresAt: string;
  readonly itemId?: string;
}

export type TokenSource = () => Promise<string | undefined>;

export function addinApi(token: TokenSource) {
  const send = async <T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown) => {
    const bearer = await token();
    const headers: Record<string, string> = bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
    return (await request<T>(method, path, body, headers)).body;
  };
  return {
    capabilities: () => send<CapabilityReport>("GET", "/api/integration/capabilities"),
    /** Rooms that are free for the whole meeting and seat everyone. */
    freeRooms: (q: RoomQuery) => send<RoomPage>("GET", `/api/rooms${query({ ...q })}`),
    /** One room with its rules. */
    room: (id: string) =>
      send<AddinRoom & { readonly policy: RoomPolicySummary }>("GET", `/api/rooms/${encodeURIComponent(id)}`),
    hold: (hold: NewHold) => send<Hold>("POST", "/api/bookings/holds", hold),
    /** Tells ONES which Outlook item carries the hold, once the draft is saved. */
    attachItem: (holdId: string, itemId: string) =>
      send<Hold>("PATCH", `/api/bookings/holds/${encodeURIComponent(holdId)}`, { itemId }),
    release: (holdId: string) =>
      send<undefined>("DELETE", `/api/bookings/holds/${encodeURIComponent(holdId)}`),
  };
}

export type AddinApi = ReturnType<typeof addinApi>;

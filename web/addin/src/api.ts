import { query, request } from "../../src/api/client";
import type { Page, Room } from "../../src/api/bookings";
import type { CapabilityReport } from "../../src/api/types";

/**
 * The pane's one way to ONES: rooms free for the meeting, holds, and what the mode allows. Every call
 * carries the Entra access token as Bearer when the pane has one (in Outlook), else the session cookie
 * (the stand-in host on the local stack).
 */

/** A room's policy limits as the room list answers them, for the pane to show before the choice. */
export interface PolicySummary {
  readonly minDurationMinutes?: number;
  readonly maxDurationMinutes?: number;
  /** How far ahead a booking may start. */
  readonly bookingWindowDays?: number;
  /** Business hours in the room's time zone, "HH:mm". */
  readonly businessHours?: { readonly start: string; readonly end: string };
  readonly approvalRequired?: boolean;
  readonly checkInRequired?: boolean;
}

export interface AddinRoom extends Room {
  readonly policy?: PolicySummary;
}

export interface RoomQuery {
  readonly from: string;
  readonly to: string;
  readonly capacity: number;
  readonly building?: string;
  readonly floor?: string;
  readonly equipment?: string;
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
    freeRooms: (q: RoomQuery) => send<Page<AddinRoom>>("GET", `/api/rooms${query({ ...q })}`),
    hold: (hold: NewHold) => send<Hold>("POST", "/api/bookings/holds", hold),
    /** Tells ONES which Outlook item carries the hold, once the draft is saved. */
    attachItem: (holdId: string, itemId: string) =>
      send<Hold>("PATCH", `/api/bookings/holds/${encodeURIComponent(holdId)}`, { itemId }),
    release: (holdId: string) =>
      send<undefined>("DELETE", `/api/bookings/holds/${encodeURIComponent(holdId)}`),
  };
}

export type AddinApi = ReturnType<typeof addinApi>;

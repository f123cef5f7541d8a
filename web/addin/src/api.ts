import { query, request } from "../../src/api/client";
import type { RoomPolicySummary, RoomView } from "../../../shared/app/bookings/rooms";
import type { CapabilityReport } from "../../src/api/types";

/**
 * The pane's one way to ONES: rooms free for the meeting, holds, and what the mode allows. Every call
 * carries the Entra access token as Bearer when the pane has one (in Outlook), else the session cookie
 * (the stand-in host on the local stack).
 */

/** A room as GET /api/rooms lists it, and its rules as GET /api/rooms/{id} answers them: the server's own types. */
export type AddinRoom = RoomView;
export type { RoomPolicySummary };

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

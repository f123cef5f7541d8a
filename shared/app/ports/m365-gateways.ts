import type { DirectoryGroup } from "../../domain/people/group";
import type { DirectoryUser } from "../../domain/people/person";
import type { PlaceRoom, PlaceRoomList } from "../../domain/rooms/room";

/** One page of a Graph collection, as it arrives (memory holds one page at a time). */
export interface GraphPage<T> {
  readonly items: readonly T[];
  /** The link that fetches the next page; absent on the last one. */
  readonly nextLink?: string;
  /** Delta only: on the last page, the link that asks for the changes after this round. */
  readonly deltaLink?: string;
}

/** Users and groups from Entra ID by delta query (application mode). */
export interface DirectoryGateway {
  /**
   * Pages of /users/delta starting at `from` (a nextLink to resume, a deltaLink for the changes since
   * the last round) or, without it, a full round. An expired link throws `GraphCallError` with
   * `deltaExpired` true.
   */
  users(from?: string): AsyncIterable<GraphPage<DirectoryUser>>;
  /** Pages of /groups/delta with `members@delta`, as `users`. */
  groups(from?: string): AsyncIterable<GraphPage<DirectoryGroup>>;
}

/** Rooms and room lists from /places (modes with Place.Read.All). */
export interface PlacesGateway {
  roomLists(): AsyncIterable<GraphPage<PlaceRoomList>>;
  roomsInList(listEmail: string): AsyncIterable<GraphPage<PlaceRoom>>;
  rooms(): AsyncIterable<GraphPage<PlaceRoom>>;
  /**
   * The time-zone names of the rooms' working hours (getSchedule), by lower-case address; rooms Graph
   * does not answer for are left out. Throws when the call itself is refused (no calendar access).
   */
  workingHoursZones(roomEmails: readonly string[]): Promise<Map<string, string>>;
}

export type RoomCalendarCheck =
  | { readonly reachable: true; readonly displayName?: string }
  | {
      readonly reachable: false;
      readonly reason: "not-found" | "access-denied" | "not-signed-in" | "unavailable";
      readonly graphRequestId?: string;
    };

/** Checks with a signed-in user's token that a room's calendar can be read (delegated modes). */
export interface RoomCalendarProbe {
  check(roomEmail: string, userId: string): Promise<RoomCalendarCheck>;
}

/** The Graph gateways of the configured integration, built for its cloud and token kind. */
export interface M365Gateways {
  directory(): DirectoryGateway;
  places(): PlacesGateway;
  roomCalendarProbe(): RoomCalendarProbe;
}
